package org.sfkit.proxy.tunnel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;

/**
 * Our extension to spec section 7, used only between peers that announced it: after the port
 * header, the responder answers with one byte {@link #CONNECTED} once its connect to
 * {@code 127.0.0.1:port} succeeded, or resets the stream with
 * {@link StreamErrorCodes#CONNECTION_REFUSED} / {@link StreamErrorCodes#CONNECT_FAILED}. This lets
 * the SOCKS server reply 0x05 and the agent throw {@code ConnectException} on a refused port, which
 * MPC tools retry on. The Go protocol has no such answer.
 */
public final class ConnectStatus {
    public static final int CONNECTED = 0x00;

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
        if (status != CONNECTED) {
            throw new TunnelException(TunnelException.Reason.TRANSPORT_ERROR,
                    "party " + party + " sent unknown connect status " + status);
        }
    }

    static TunnelException fromReset(long code, int party, int port) {
        String target = "port " + port + " on party " + party;
        if (code == StreamErrorCodes.CONNECTION_REFUSED) {
            return new TunnelException(TunnelException.Reason.CONNECTION_REFUSED, "connection refused: " + target);
        }
        if (code == StreamErrorCodes.CONNECT_FAILED) {
            return new TunnelException(TunnelException.Reason.CONNECT_FAILED, "party " + party + " could not reach its " + target);
        }
        return new TunnelException(TunnelException.Reason.TRANSPORT_ERROR,
                "stream to " + target + " reset: " + StreamErrorCodes.describe(code));
    }
}
