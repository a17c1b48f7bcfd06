package org.sfkit.proxy.tunnel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;

/**
 * Our extension to spec section 7, used only between peers that announced it: after the port
 * header, the responder answers with one byte saying how its connect to {@code 127.0.0.1:port}
 * went; after a failure it sends FIN. This lets the SOCKS server reply 0x05 and the agent throw
 * {@code ConnectException} on a refused port, which MPC tools retry on. The Go protocol has no
 * such answer.
 *
 * <p>The outcome travels in the stream, not as a RESET_STREAM error code, because Netty 4.2.18
 * does not hand received reset codes to Java; in-band, every engine and the Netty-kwik mix agree.
 */
public final class ConnectStatus {
    public static final int CONNECTED = 0x00;
    public static final int REFUSED = 0x01;
    public static final int FAILED = 0x02;

    private ConnectStatus() {
    }

    /** Reads the responder's answer, turning a reset into the matching {@link TunnelException}. */
    static void await(InputStream in, int party, int port) throws IOException {
        int status;
        try {
            status = in.read();
        } catch (StreamResetException e) {
            throw fromReset(e.errorCode(), party, port);
        }
        if (status < 0) {
            throw new EOFException("party " + party + " closed the stream before answering the connect to port " + port);
        }
        String target = "port " + port + " on party " + party;
        switch (status) {
            case CONNECTED:
                return;
            case REFUSED:
                throw new TunnelException(TunnelException.Reason.CONNECTION_REFUSED, "connection refused: " + target);
            case FAILED:
                throw new TunnelException(TunnelException.Reason.CONNECT_FAILED, "party " + party + " could not reach its " + target);
            default:
                throw new TunnelException(TunnelException.Reason.TRANSPORT_ERROR,
                        "party " + party + " sent unknown connect status " + status + " for " + target);
        }
    }

    private static TunnelException fromReset(long code, int party, int port) {
        return new TunnelException(TunnelException.Reason.TRANSPORT_ERROR,
                "stream to port " + port + " on party " + party + " reset: " + StreamErrorCodes.describe(code));
    }
}
