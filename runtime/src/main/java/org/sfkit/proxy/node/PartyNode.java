package org.sfkit.proxy.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.tunnel.TunnelDialer;

/**
 * One party's transport as its ingresses (SOCKS server, Java agent) and the CLI see it, whatever
 * finds the peers: static addresses ({@link ProxyNode}) or signalling and ICE.
 */
public interface PartyNode extends TunnelDialer, AutoCloseable {
    /** This party's id. */
    int pid();

    /** The QUIC engine carrying the links. */
    QuicEngine engine();

    /** The engine's name ({@code netty} or {@code kwik}). */
    default String engineName() {
        return engine().name();
    }

    /** The engine's listener: a Netty engine accepts on its own event loops ({@link QuicEngine#listenTcp}). */
    @Override
    default TcpListener listen(InetSocketAddress bind, int backlog) throws IOException {
        return engine().listenTcp(bind, backlog);
    }

    /** Blocks until links to all known peers are up or the timeout passes; true when all are. */
    boolean awaitPeers(Duration timeout) throws InterruptedException;

    /** Party ids with a live connection right now. */
    List<Integer> connectedPeers();

    /** Stops the links and listeners; never throws. */
    @Override
    void close();
}
