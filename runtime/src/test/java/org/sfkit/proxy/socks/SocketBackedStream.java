package org.sfkit.proxy.socks;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.sfkit.proxy.quic.QuicStream;

/**
 * A {@link QuicStream} made of a loopback TCP connection, with the same close semantics: closing
 * the output half-closes (FIN), reset aborts (RST). What a test dialer returns instead of a tunnel.
 */
final class SocketBackedStream implements QuicStream {
    private static final AtomicLong IDS = new AtomicLong();
    private final long id = IDS.incrementAndGet();
    private final Socket socket;

    private SocketBackedStream(Socket socket) {
        this.socket = socket;
    }

    /** Connects to 127.0.0.1:port, as a far side would. */
    static SocketBackedStream connectLoopback(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return new SocketBackedStream(socket);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InputStream input() {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public OutputStream output() {
        try {
            return new FilterOutputStream(socket.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    socket.shutdownOutput();
                }
            };
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
}
