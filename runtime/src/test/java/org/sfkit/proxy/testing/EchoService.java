package org.sfkit.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.sfkit.proxy.quic.QuicStream;

/** A TCP echo service on 127.0.0.1 (what a tunnel's far end connects to) and a stream round trip through it. */
public final class EchoService implements AutoCloseable {
    private final ServerSocket server;

    private EchoService(ServerSocket server) {
        this.server = server;
    }

    /** Echoes each connection until EOF, then closes its side; one daemon thread per connection. */
    public static EchoService start() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread echo = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // client went away
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return new EchoService(server);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Writes {@code payload}, sends FIN, returns everything read back until the peer's FIN. */
    public static byte[] roundTrip(QuicStream stream, byte[] payload) throws IOException {
        try (OutputStream out = stream.output()) {
            out.write(payload);
        }
        InputStream in = stream.input();
        return in.readAllBytes();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
