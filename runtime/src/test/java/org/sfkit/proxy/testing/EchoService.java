package org.sfkit.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sfkit.proxy.node.PartyNode;
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

    /**
     * Every party of {@code nodes} opens a stream to every other one's echo service on {@code port}
     * and gets its own bytes back.
     */
    public static void assertEveryPairRoundTrips(List<? extends PartyNode> nodes, int port) throws IOException {
        for (PartyNode from : nodes) {
            for (PartyNode to : nodes) {
                if (from != to) {
                    byte[] payload = ("from " + from.pid() + " to " + to.pid()).getBytes(StandardCharsets.UTF_8);
                    assertThat(roundTrip(from.open(to.pid(), port), payload)).isEqualTo(payload);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
