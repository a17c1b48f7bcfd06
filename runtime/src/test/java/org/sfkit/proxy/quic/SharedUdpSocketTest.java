package org.sfkit.proxy.quic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/**
 * The engine seam of spec section 5: one socket, foreign (STUN) datagrams to their handler whole,
 * raw sends beside QUIC, and QUIC between two shared sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedUdpSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /**
     * Larger than ice4j's 1500-byte cut (field notes) and than the QUIC payload limit we announce;
     * the Netty engine reads datagrams into 2048-byte slots for exactly this.
     */
    private static final int LARGE = 2000;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Claims datagrams whose first byte is 0 (a stand-in for the STUN test the ICE layer makes). */
    private record Foreign(BlockingQueue<byte[]> got) implements ForeignDatagrams {
        Foreign() {
            this(new LinkedBlockingQueue<>());
        }

        @Override
        public boolean claim(ByteBuffer datagram, InetSocketAddress sender) {
            if (datagram.get(datagram.position()) != 0) {
                return false;
            }
            byte[] copy = new byte[datagram.remaining()];
            datagram.duplicate().get(copy);
            got.add(copy);
            return true;
        }
    }

    private SharedUdpSocket bind(QuicEngine engine, ForeignDatagrams foreign) throws Exception {
        SharedUdpSocket socket = engine.bindShared(new InetSocketAddress(LOOPBACK, 0), foreign);
        toClose.add(socket);
        return socket;
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty", "kwik"})
    void foreignDatagramsArriveWholeAndRawSendsLeave(String name) throws Exception {
        Foreign foreign = new Foreign();
        SharedUdpSocket shared = bind(QuicEngines.select(name), foreign);
        try (DatagramSocket plain = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            plain.setSoTimeout(5000);
            byte[] large = new byte[LARGE];
            large[LARGE - 1] = 42;
            plain.send(new DatagramPacket(large, LARGE, shared.localAddress()));
            assertThat(foreign.got().poll(5, TimeUnit.SECONDS)).isEqualTo(large);

            shared.sendRaw(ByteBuffer.wrap(large), (InetSocketAddress) plain.getLocalSocketAddress());
            DatagramPacket back = new DatagramPacket(new byte[LARGE + 1], LARGE + 1);
            plain.receive(back);
            assertThat(back.getLength()).isEqualTo(LARGE);
            assertThat(back.getData()[LARGE - 1]).isEqualTo((byte) 42);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty", "kwik"})
    void quicRunsBetweenTwoSharedSockets(String name) throws Exception {
        QuicEngine engine = QuicEngines.select(name);
        TlsIdentity serverId = SelfSignedCertificates.generate(List.of(LOOPBACK));
        TlsIdentity clientId = SelfSignedCertificates.generate(List.of(LOOPBACK));
        Foreign serverForeign = new Foreign();
        SharedUdpSocket server = bind(engine, serverForeign);
        SharedUdpSocket client = bind(engine, new Foreign());
        CompletableFuture<QuicConnection> accepted = new CompletableFuture<>();
        toClose.add(server.listen(serverId, PinnedTrust.of(clientId.certificate()), QuicSettings.defaults(), accepted::complete));

        QuicConnection connection = client.connect(server.localAddress(), clientId, PinnedTrust.of(serverId.certificate()),
                QuicSettings.defaults(), Duration.ofSeconds(10));
        toClose.add(connection);
        accepted.get(10, TimeUnit.SECONDS).onPeerStream(stream -> CompletableFuture.runAsync(() -> {
            try (InputStream in = stream.input(); OutputStream out = stream.output()) {
                in.transferTo(out);
            } catch (Exception ignored) {
                // the test fails on the client side
            }
        }));
        QuicStream stream = connection.openStream();
        byte[] payload = new byte[100_000];
        payload[payload.length - 1] = 7;
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try (OutputStream out = stream.output()) {
                out.write(payload);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(stream.input().readAllBytes()).isEqualTo(payload);
        writing.get(10, TimeUnit.SECONDS);
        assertThat(serverForeign.got()).isEmpty(); // QUIC never reached the foreign handler
    }
}
