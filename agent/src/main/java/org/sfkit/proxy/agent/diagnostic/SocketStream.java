package org.sfkit.proxy.agent.diagnostic;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.sfkit.proxy.quic.QuicStream;

/**
 * A TCP socket seen as a {@link QuicStream} for {@link LoopbackDialer}: closing the output is a
 * half-close (FIN), a reset is an RST, and the socket is closed once both directions ended.
 */
final class SocketStream implements QuicStream {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.getAndIncrement();
    private final Socket socket;
    private final AtomicInteger directionsEnded = new AtomicInteger();
    private final InputStream input;
    private final OutputStream output;

    SocketStream(Socket socket) throws IOException {
        this.socket = socket;
        this.input = new FilterInputStream(socket.getInputStream()) {
            private boolean ended;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0 && !ended) {
                    ended = true;
                    directionEnded();
                }
                return n;
            }
        };
        this.output = new FilterOutputStream(socket.getOutputStream()) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len); // FilterOutputStream would write byte by byte
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    socket.shutdownOutput();
                    directionEnded();
                }
            }
        };
    }

    private void directionEnded() throws IOException {
        if (directionsEnded.incrementAndGet() == 2) {
            socket.close();
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void reset(long errorCode) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
