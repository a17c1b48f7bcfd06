package org.sfkit.proxy.socks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Echoes every connection on 127.0.0.1 until the client's FIN, then half-closes back. */
final class EchoServer implements AutoCloseable {
    private final ServerSocket listener;

    EchoServer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "test-echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (true) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread echo = new Thread(() -> echo(socket), "test-echo");
            echo.setDaemon(true);
            echo.start();
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            in.transferTo(out);
            socket.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream()); // until the peer closes
        } catch (IOException ignored) {
            // the test ended the connection
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
