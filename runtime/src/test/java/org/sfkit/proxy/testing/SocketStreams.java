package org.sfkit.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.sfkit.proxy.quic.QuicStream;

/**
 * Two ends of a loopback TCP connection seen as {@link QuicStream}s, for testing stream protocols
 * (port header, client proof) over a real transport without a QUIC engine. A reset closes the
 * socket with an RST, so the other end fails; TCP cannot carry the error code.
 */
public final class SocketStreams {
    private SocketStreams() {
    }

    public record Pair(QuicStream a, QuicStream b) {
    }

    private static final AtomicLong IDS = new AtomicLong();

    /** A stream onto a fresh connection to 127.0.0.1:port, as a far side's responder would make. */
    public static QuicStream connectLoopback(int port) throws IOException {
        return wrap(new Socket(InetAddress.getLoopbackAddress(), port), IDS.incrementAndGet());
    }

    public static Pair pair() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket a = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            Socket b = server.accept();
            return new Pair(wrap(a, 1), wrap(b, 1));
        }
    }

    public static QuicStream wrap(Socket socket, long id) {
        return new QuicStream() {
            @Override
            public long id() {
                return id;
            }

            @Override
            public InputStream input() {
                try {
                    return socket.getInputStream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public OutputStream output() {
                try {
                    OutputStream out = socket.getOutputStream();
                    return new OutputStream() {
                        @Override public void write(int b) throws IOException { out.write(b); }
                        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
                        @Override public void close() throws IOException { socket.shutdownOutput(); }
                    };
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void reset(long errorCode) {
                try {
                    socket.setSoLinger(true, 0);
                    socket.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        };
    }
}
