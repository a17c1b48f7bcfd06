package org.sfkit.proxy.socks;

/**
 * The authentication methods we select from (RFC 1928 section 3). GSSAPI (0x01), which RFC 1928
 * makes mandatory for compliance, is not offered: neither the Go proxy nor any client we serve
 * uses it, and a client offering only GSSAPI gets {@link #NO_ACCEPTABLE_METHODS}.
 */
public enum SocksAuthMethod {
    NO_AUTHENTICATION(0x00),
    /** RFC 1929. */
    USERNAME_PASSWORD(0x02),
    /** Sent as the selection when nothing the client offered is acceptable; the client closes. */
    NO_ACCEPTABLE_METHODS(0xFF);

    private final int code;

    SocksAuthMethod(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
