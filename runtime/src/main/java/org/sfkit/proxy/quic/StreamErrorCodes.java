package org.sfkit.proxy.quic;

/**
 * Application error codes carried in RESET_STREAM / STOP_SENDING (RFC 9000 section 20.2 leaves
 * them to the application protocol). The Go peer never sends any (it only closes), so these
 * matter between our own peers.
 */
public final class StreamErrorCodes {
    /** The TCP connection on the other side was aborted (RST) or failed mid-transfer. */
    public static final long ABORTED = 0x1;
    /** The receiving proxy's connect to {@code 127.0.0.1:port} was refused. */
    public static final long CONNECTION_REFUSED = 0x2;
    /** The receiving proxy could not reach the port for another reason (timeout, unreachable). */
    public static final long CONNECT_FAILED = 0x3;
    /** The stream header was malformed or the stream was not allowed (e.g. before authentication). */
    public static final long PROTOCOL_ERROR = 0x4;

    private StreamErrorCodes() {
    }

    public static String describe(long code) {
        if (code == ABORTED) return "aborted (0x1)";
        if (code == CONNECTION_REFUSED) return "connection refused (0x2)";
        if (code == CONNECT_FAILED) return "connect failed (0x3)";
        if (code == PROTOCOL_ERROR) return "protocol error (0x4)";
        return "error 0x" + Long.toHexString(code);
    }
}
