package org.sfkit.proxy.quic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** A {@link TcpListener} on JDK blocking sockets: for engines without event loops of their own (kwik). */
public final class SocketTcpListener implements TcpListener {
    private final ServerSocket server;

    private SocketTcpListener(ServerSocket server) {
        this.server = server;
    }

    public static SocketTcpListener bind(InetSocketAddress bind, int backlog) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(bind, backlog);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new SocketTcpListener(server);
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public TcpConnection accept() throws IOException {
        Socket socket = server.accept();
        try {
            socket.setTcpNoDelay(true); // MPC protocols ping-pong small messages; Nagle would delay each
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new SocketConnection(socket);
    }

    @Override
    public boolean isClosed() {
        return server.isClosed();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** A connected JDK socket as a {@link TcpConnection}. */
    public static TcpConnection wrap(Socket socket) {
        return new SocketConnection(socket);
    }

    private record SocketConnection(Socket socket) implements TcpConnection {
        @Override
        public InetSocketAddress remoteAddress() {
            return (InetSocketAddress) socket.getRemoteSocketAddress();
        }

        @Override
        public InputStream input() throws IOException {
            return socket.getInputStream();
        }

        @Override
        public OutputStream output() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public void setReadTimeout(Duration timeout) throws IOException {
            // SO_TIMEOUT 0 is "for ever": a positive timeout below 1 ms must stay positive.
            socket.setSoTimeout(timeout.isZero() ? 0 : (int) Math.max(1, Math.min(timeout.toMillis(), Integer.MAX_VALUE)));
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void abort() {
            try {
                socket.setSoLinger(true, 0); // RST on close
            } catch (IOException ignored) {
                // already closed
            }
            closeQuietly();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        private void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
