package org.sfkit.proxy.node;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.tunnel.TunnelEnds;

/**
 * Our view of one remote party: its current QUIC connection (authenticated in both directions),
 * or none. Streams the peer opens on it are answered by {@link TunnelEnds#answer}.
 */
final class PeerLink {
    private static final Logger LOG = Logger.getLogger(PeerLink.class.getName());

    private final int pid;
    private final Executor executor;
    private QuicConnection connection; // guarded by this

    PeerLink(int pid, Executor executor) {
        this.pid = pid;
        this.executor = executor;
    }

    int pid() {
        return pid;
    }

    /**
     * Makes {@code next} the connection to this peer. A previous one is closed: the peer made a
     * new one because it restarted or lost the old path, so the old one carries nothing anymore.
     *
     * @param peerExpectsStatus whether the peer's streams wait for our {@code ConnectStatus} (our
     *     peers do, a Go peer does not)
     */
    void attach(QuicConnection next, boolean peerExpectsStatus) {
        QuicConnection previous;
        synchronized (this) {
            previous = connection;
            connection = next;
            notifyAll();
        }
        if (peerExpectsStatus) {
            next.useDatagramKeepAlives(); // one of ours: it accepts datagrams (a Go peer would not)
        }
        next.onPeerStream(stream -> executor.execute(() -> TunnelEnds.answer(stream, pid, peerExpectsStatus)));
        next.closeFuture().thenRun(() -> detach(next));
        if (previous != null && previous != next) {
            previous.close();
        }
        LOG.info("peer connected pid=" + pid + " remote=" + next.remoteAddress());
    }

    private void detach(QuicConnection closed) {
        synchronized (this) {
            if (connection != closed) {
                return;
            }
            connection = null;
        }
        LOG.info("peer disconnected pid=" + pid);
    }

    /** Blocks until every link is up or the timeout passes; true when all are. */
    static boolean awaitAll(Collection<PeerLink> links, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (PeerLink link : links) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (link.awaitConnection(left) == null) {
                return false;
            }
        }
        return true;
    }

    /** The live connection, waiting up to {@code timeout} for one; {@code null} if none came. */
    synchronized QuicConnection awaitConnection(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connection == null || !connection.isOpen()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return connection;
    }

    synchronized boolean isConnected() {
        return connection != null && connection.isOpen();
    }

    void close() {
        QuicConnection c;
        synchronized (this) {
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.close();
        }
    }
}
