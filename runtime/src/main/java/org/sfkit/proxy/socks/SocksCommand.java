package org.sfkit.proxy.socks;

import java.util.Optional;

/** The CMD field of a SOCKS5 request (RFC 1928 section 4). */
public enum SocksCommand {
    CONNECT(0x01),
    BIND(0x02),
    UDP_ASSOCIATE(0x03);

    private final int code;

    SocksCommand(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static Optional<SocksCommand> of(int code) {
        for (SocksCommand c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
