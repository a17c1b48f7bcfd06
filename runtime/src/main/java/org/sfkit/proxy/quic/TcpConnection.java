package org.sfkit.proxy.quic;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An accepted TCP connection of an ingress (the SOCKS server): blocking streams for its
 * handshake, then carried over a {@link QuicStream}.
 */
public interface TcpConnection extends Closeable {
    InetSocketAddress remoteAddress();

    /** Blocking reads, each waiting at most the {@linkplain #setReadTimeout read timeout}. */
    InputStream input() throws IOException;

    /** Blocking writes, sent at once (no buffering). */
    OutputStream output() throws IOException;

    /**
     * How long one read of {@link #input} waits before throwing
     * {@link java.net.SocketTimeoutException}; {@link Duration#ZERO} waits for ever.
     */
    void setReadTimeout(Duration timeout) throws IOException;

    /** FIN after every byte written; reading goes on. */
    void shutdownOutput() throws IOException;

    /** Closes with an RST, so the client sees an abort rather than a clean end. */
    void abort();

    /**
     * Starts carrying {@code stream} over this connection on the engine's own threads, where the
     * engine can (Netty: the connection moves to the stream's event loop); empty otherwise, and the
     * caller pumps with threads of its own. Bytes {@link #input} had already received go first.
     * The future completes when both directions have ended and the connection is closed. Close
     * semantics: {@link TcpSplice}.
     */
    default Optional<CompletableFuture<Void>> spliceNatively(QuicStream stream) {
        return Optional.empty();
    }
}
