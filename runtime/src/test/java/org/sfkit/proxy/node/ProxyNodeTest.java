package org.sfkit.proxy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.SelfSignedCertificates;
import org.sfkit.proxy.testing.EchoService;
import org.sfkit.proxy.tunnel.TunnelException;

/** Two or three real nodes on loopback, per engine: tunnels, their failures, and recovery. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyNodeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration UP = Duration.ofSeconds(20);
    private static TlsIdentity[] ids;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void identities() throws Exception {
        ids = new TlsIdentity[4];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = SelfSignedCertificates.generate(List.of(LOOPBACK));
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** {@code engines} names one engine, or a comma list used by party id in turn (mixed studies). */
    private ProxyNode node(String engines, int pid, TlsIdentity id, int udpPort, Map<Integer, StaticPeer> peers) throws IOException {
        String[] names = engines.split(",");
        QuicEngine quic = QuicEngines.select(names[pid % names.length]);
        ProxyNode node = ProxyNode.start(new NodeConfig(pid, id, new InetSocketAddress(LOOPBACK, udpPort), peers, quic,
                QuicSettings.defaults()));
        toClose.add(node);
        return node;
    }

    private static StaticPeer peer(int pid, int udpPort) {
        return new StaticPeer(pid, new InetSocketAddress(LOOPBACK, udpPort), ids[pid].certificate());
    }

    private int echoServer() throws IOException {
        EchoService echo = EchoService.start();
        toClose.add(echo);
        return echo.port();
    }

    private static byte[] echo(QuicStream stream, byte[] payload) throws IOException {
        return EchoService.roundTrip(stream, payload);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kwik", "netty", "netty,kwik"})
    void threePartiesReachEachOtherBothWays(String engine) throws Exception {
        // Started in party order on ephemeral ports: a party dials only lower ones, already bound;
        // higher ones dial it, so their endpoints are not needed.
        ProxyNode[] nodes = new ProxyNode[3];
        for (int pid = 0; pid < 3; pid++) {
            Map<Integer, StaticPeer> peers = new java.util.HashMap<>();
            for (int other = 0; other < 3; other++) {
                if (other != pid) {
                    peers.put(other, peer(other, other < pid ? nodes[other].quicAddress().getPort() : 0));
                }
            }
            nodes[pid] = node(engine, pid, ids[pid], 0, peers);
        }
        for (ProxyNode n : nodes) {
            assertThat(n.awaitPeers(UP)).as("node %d connected", n.pid()).isTrue();
        }
        EchoService.assertEveryPairRoundTrips(List.of(nodes), echoServer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kwik", "netty"})
    void refusedUnknownAndSelfAreTypedFailures(String engine) throws Exception {
        ProxyNode n0 = node(engine, 0, ids[0], 0, Map.of(1, peer(1, 0)));
        int udp0 = n0.quicAddress().getPort();
        ProxyNode n1 = node(engine, 1, ids[1], 0, Map.of(0, peer(0, udp0)));
        assertThat(n1.awaitPeers(UP)).isTrue();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> n1.open(0, closedPort)).isInstanceOfSatisfying(TunnelException.class,
                e -> assertThat(e.reason()).isEqualTo(TunnelException.Reason.CONNECTION_REFUSED));
        assertThatThrownBy(() -> n0.open(1, closedPort)).isInstanceOfSatisfying(TunnelException.class,
                e -> assertThat(e.reason()).isEqualTo(TunnelException.Reason.CONNECTION_REFUSED));
        assertThatThrownBy(() -> n1.open(5, 80)).isInstanceOfSatisfying(TunnelException.class,
                e -> assertThat(e.reason()).isEqualTo(TunnelException.Reason.UNKNOWN_PARTY));
        assertThatThrownBy(() -> n1.open(1, 80)).isInstanceOfSatisfying(TunnelException.class,
                e -> assertThat(e.reason()).isEqualTo(TunnelException.Reason.UNKNOWN_PARTY));
        // After failures the link still carries new streams.
        int port = echoServer();
        assertThat(echo(n1.open(0, port), new byte[] {42})).containsExactly(42);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kwik", "netty"})
    void aRestartedServerPeerIsRedialled(String engine) throws Exception {
        ProxyNode n0 = node(engine, 0, ids[0], 0, Map.of(1, peer(1, 0)));
        int udp0 = n0.quicAddress().getPort();
        ProxyNode n1 = node(engine, 1, ids[1], 0, Map.of(0, peer(0, udp0)));
        assertThat(n1.awaitPeers(UP)).isTrue();
        n0.close();
        // The JDK frees a closed DatagramSocket's port only once the engine's receiver thread has
        // left receive(); a restarted process would not wait, an in-JVM restart may have to.
        long bindDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                node(engine, 0, ids[0], udp0, Map.of(1, peer(1, 0)));
                break;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > bindDeadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        int port = echoServer();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        byte[] answer = null;
        while (answer == null && System.nanoTime() < deadline) {
            try {
                answer = echo(n1.open(0, port), new byte[] {7});
            } catch (IOException e) {
                Thread.sleep(200); // the old connection may linger until the client notices
            }
        }
        assertThat(answer).containsExactly(7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kwik", "netty"})
    void aClientWithTheWrongKeyNeverBecomesThePeer(String engine) throws Exception {
        ProxyNode n0 = node(engine, 0, ids[0], 0, Map.of(1, peer(1, 0)));
        int udp0 = n0.quicAddress().getPort();
        // Claims to be party 1 but holds party 3's key.
        node(engine, 1, ids[3], 0, Map.of(0, peer(0, udp0)));
        assertThat(n0.awaitPeers(Duration.ofSeconds(3))).isFalse();
        assertThatThrownBy(() -> n0.open(1, 80)).isInstanceOfSatisfying(TunnelException.class,
                e -> assertThat(e.reason()).isEqualTo(TunnelException.Reason.PEER_UNREACHABLE));
    }
}
