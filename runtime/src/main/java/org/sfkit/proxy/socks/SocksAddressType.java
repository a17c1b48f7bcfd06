package org.sfkit.proxy.socks;

import java.util.Optional;

/** The ATYP field of a SOCKS5 request or reply (RFC 1928 section 5). */
public enum SocksAddressType {
    IPV4(0x01),
    DOMAIN_NAME(0x03),
    IPV6(0x04);

    private final int code;

    SocksAddressType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static Optional<SocksAddressType> of(int code) {
        for (SocksAddressType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
