package org.sfkit.proxy.tunnel;

import java.io.IOException;
import org.sfkit.proxy.quic.QuicStream;

/**
 * What an ingress (the SOCKS server, the Java agent) needs from the transport: a stream to
 * {@code 127.0.0.1:port} on party {@code party}. Ingresses know nothing of QUIC, ICE or
 * signalling.
 */
public interface TunnelDialer {
    /**
     * Opens a stream to port {@code port} on party {@code party} and returns once the far side has
     * connected to its target (where the peer can confirm that; a Go peer cannot, and then this
     * returns once the stream is open).
     *
     * @throws TunnelException with a {@link TunnelException.Reason} the ingress maps onto its own
     *     status (SOCKS reply code, {@code ConnectException})
     */
    QuicStream open(int party, int port) throws TunnelException, IOException;
}
