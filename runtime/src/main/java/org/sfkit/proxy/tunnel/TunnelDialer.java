package org.sfkit.proxy.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.SocketTcpListener;
import org.sfkit.proxy.quic.TcpListener;

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

    /**
     * A TCP listener for the ingress: one whose connections this transport carries best
     * ({@link QuicEngine#listenTcp}); a JDK listener unless the transport says otherwise.
     */
    default TcpListener listen(InetSocketAddress bind, int backlog) throws IOException {
        return SocketTcpListener.bind(bind, backlog);
    }
}
