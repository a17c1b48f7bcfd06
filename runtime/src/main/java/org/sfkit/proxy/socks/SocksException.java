package org.sfkit.proxy.socks;

import java.io.IOException;
import java.util.Optional;

/**
 * A SOCKS handshake ended. Carries the reply code the server still has to send, or none when
 * the connection is simply closed (a wrong protocol version, for which RFC 1928 defines no
 * reply, or a negotiation that already answered with {@code 05 FF} or an RFC 1929 failure).
 */
public final class SocksException extends IOException {
    private final SocksReplyCode reply;

    private SocksException(SocksReplyCode reply, String message) {
        super(message);
        this.reply = reply;
    }

    /** The handshake ends with a reply carrying {@code reply}, then a close. */
    public static SocksException replying(SocksReplyCode reply, String message) {
        return new SocksException(reply, message);
    }

    /** The handshake ends with a close and no (further) reply. */
    public static SocksException closing(String message) {
        return new SocksException(null, message);
    }

    public Optional<SocksReplyCode> reply() {
        return Optional.ofNullable(reply);
    }
}
