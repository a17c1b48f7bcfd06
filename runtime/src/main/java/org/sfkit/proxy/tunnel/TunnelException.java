package org.sfkit.proxy.tunnel;

import java.net.ConnectException;

/**
 * Why a tunnel could not be opened. Extends {@link ConnectException} so code that only knows
 * {@code java.net} (FRESCO retries exactly on it) sees the right type.
 */
public class TunnelException extends ConnectException {
    public enum Reason {
        /** The far side's connect to 127.0.0.1:port was refused (SOCKS 0x05). */
        CONNECTION_REFUSED,
        /** No such party is configured, or no address maps to one (SOCKS 0x04). */
        UNKNOWN_PARTY,
        /** The party is known but no connection to it is up (SOCKS 0x04; retryable). */
        PEER_UNREACHABLE,
        /** The far side could not connect for another reason (SOCKS 0x01). */
        CONNECT_FAILED,
        /** The connection or the stream broke while opening (SOCKS 0x01). */
        TRANSPORT_ERROR
    }

    private final Reason reason;

    public TunnelException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
