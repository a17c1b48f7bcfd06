package org.sfkit.proxy.quic;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A bidirectional QUIC stream seen as blocking byte streams.
 *
 * <ul>
 *   <li>{@link #input()} returns -1 once the peer's FIN arrived and all data was read, and throws
 *       {@link StreamResetException} when the peer reset the stream (RFC 9000 section 19.4).
 *   <li>{@link #output()}: {@code close()} sends FIN after every byte written before it
 *       (half-close; reading goes on). Writes block while flow control allows no more.
 *   <li>{@link #reset(long)} aborts both directions (RESET_STREAM and STOP_SENDING) with an
 *       application error code from {@link StreamErrorCodes}.
 * </ul>
 */
public interface QuicStream {
    long id();

    InputStream input();

    OutputStream output();

    void reset(long errorCode);

    /**
     * A {@link TcpSplice} the engine runs on its own threads, where it has one (Netty: the TCP
     * connection lives on the stream's event loop); empty otherwise, and the caller pumps bytes
     * between the streams above and a socket with threads of its own.
     */
    default Optional<TcpSplice> nativeTcpSplice() {
        return Optional.empty();
    }
}
