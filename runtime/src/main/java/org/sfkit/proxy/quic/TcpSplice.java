package org.sfkit.proxy.quic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP connection that carries one {@link QuicStream}, both ways, with the tunnel's close
 * semantics (spec section 7 and ours): TCP EOF becomes stream FIN and back; a TCP error (RST)
 * resets the stream with {@link StreamErrorCodes#ABORTED}; a reset stream aborts the TCP
 * connection with an RST. Back-pressure is end to end, through QUIC flow control.
 *
 * <p>Use: {@link #connect}, then write what must precede the payload on the stream (a connect
 * status), then {@link #start}; or {@link #abort} instead of starting. Nothing is read from either
 * side before {@link #start}.
 */
public interface TcpSplice {
    /**
     * Connects to {@code target}; blocks until connected. A refused port throws
     * {@link java.net.ConnectException}.
     */
    void connect(InetSocketAddress target, Duration timeout) throws IOException;

    /**
     * Starts carrying bytes both ways, after everything already written to the stream. The
     * future completes when both directions have ended and the TCP connection is closed.
     */
    CompletableFuture<Void> start();

    /** Closes the TCP connection with an RST, so its application sees an abort; the stream is left to the caller. */
    void abort();
}
