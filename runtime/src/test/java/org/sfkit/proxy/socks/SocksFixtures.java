package org.sfkit.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sfkit.proxy.config.AddressPlan;
import org.sfkit.proxy.config.PartyTarget;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.tunnel.TunnelDialer;

/** The address plan, client moves and assertions the SOCKS tests share. */
final class SocksFixtures {
    /**
     * How long a test waits for the server before failing: far above any bound the server keeps,
     * so it only turns a hang into a failure (no timing is asserted).
     */
    static final int TEST_TIMEOUT_MILLIS = 20_000;

    private static final Pattern PARTY_ADDRESS = Pattern.compile("10\\.0\\.0\\.(\\d{1,3})");

    /** 10.0.0.N:p is party N, port p; nothing else routes. */
    static final AddressPlan PARTY_PLAN = (host, port) -> {
        Matcher m = PARTY_ADDRESS.matcher(host);
        return m.matches() ? Optional.of(new PartyTarget(Integer.parseInt(m.group(1)), port)) : Optional.empty();
    };

    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private SocksFixtures() {
    }

    /** One Netty engine per test JVM: its event loops are daemon threads and idle between tests. */
    private static final class Netty {
        static final QuicEngine ENGINE = QuicEngines.select(QuicEngines.NETTY);
    }

    /** {@code dialer}, but the SOCKS server accepts on the Netty engine's listener (its streams stay the dialer's). */
    static TunnelDialer onNettyListener(TunnelDialer dialer) {
        return new TunnelDialer() {
            @Override
            public QuicStream open(int party, int port) throws IOException {
                return dialer.open(party, port);
            }

            @Override
            public TcpListener listen(InetSocketAddress bind, int backlog) throws IOException {
                return Netty.ENGINE.listenTcp(bind, backlog);
            }
        };
    }

    static Socket connect(SocksServer server) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(TEST_TIMEOUT_MILLIS);
        socket.connect(server.localAddress(), TEST_TIMEOUT_MILLIS);
        return socket;
    }

    static byte[] readExactly(Socket socket, int length) throws IOException {
        byte[] bytes = socket.getInputStream().readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("server closed after " + Bytes.hex(bytes));
        }
        return bytes;
    }

    /** Returns once the server closed (FIN or RST); fails when it keeps the connection open. */
    static void awaitClosedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever still comes, the close is what we wait for
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server kept the connection open", e);
        } catch (SocketException e) {
            // reset: closed too
        }
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Sends {@code payload} then half-closes (FIN), while reading everything that comes back until
     * the server's FIN; returns what came back.
     */
    static byte[] sendHalfCloseAndReadAll(Socket socket, byte[] payload) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                socket.getOutputStream().write(payload);
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        socket.getInputStream().transferTo(received);
        writer.get(TEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        return received.toByteArray();
    }

    static void assertEchoes(Socket socket, byte[] payload) throws Exception {
        assertThat(sendHalfCloseAndReadAll(socket, payload)).isEqualTo(payload);
    }
}
