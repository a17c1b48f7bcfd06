package org.sfkit.proxy.node;

import java.time.Duration;
import java.util.List;
import org.sfkit.proxy.tunnel.TunnelDialer;

/**
 * One party's transport as its ingresses (SOCKS server, Java agent) and the CLI see it, whatever
 * finds the peers: static addresses ({@link ProxyNode}) or signalling and ICE.
 */
public interface PartyNode extends TunnelDialer, AutoCloseable {
    /** This party's id. */
    int pid();

    /** The QUIC engine carrying the links ({@code netty} or {@code kwik}). */
    String engineName();

    /** Blocks until links to all known peers are up or the timeout passes; true when all are. */
    boolean awaitPeers(Duration timeout) throws InterruptedException;

    /** Party ids with a live connection right now. */
    List<Integer> connectedPeers();

    /** Stops the links and listeners; never throws. */
    @Override
    void close();
}
