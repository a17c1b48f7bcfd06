package org.sfkit.proxy.quic;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A TCP listener for an ingress, from {@link QuicEngine#listenTcp}: its connections are the ones
 * the engine can carry best ({@link TcpConnection#spliceNatively}).
 */
public interface TcpListener extends Closeable {
    InetSocketAddress localAddress();

    /**
     * Blocks until a connection arrives.
     *
     * @throws IOException once the listener is closed, or when accepting fails (the next call may
     *     succeed: EMFILE passes once a descriptor frees)
     */
    TcpConnection accept() throws IOException;

    boolean isClosed();
}
