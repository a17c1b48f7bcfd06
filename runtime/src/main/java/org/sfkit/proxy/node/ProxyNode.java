package org.sfkit.proxy.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * One party's proxy: QUIC links to every peer, the responder that connects incoming streams to
 * {@code 127.0.0.1:port}, and the {@link TunnelDialer} that ingresses (SOCKS, agent) use.
 */
public final class ProxyNode implements TunnelDialer, AutoCloseable {
    // Implementation in progress on main (integrator); signatures are stable.

    public static ProxyNode start(NodeConfig config) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    public int pid() {
        throw new UnsupportedOperationException("not yet");
    }

    /** The UDP address our QUIC server is bound to. */
    public InetSocketAddress quicAddress() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Blocks until links to all static peers are up or the timeout passes; true when all are. */
    public boolean awaitPeers(java.time.Duration timeout) throws InterruptedException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public QuicStream open(int party, int port) throws TunnelException, IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
    }
}
