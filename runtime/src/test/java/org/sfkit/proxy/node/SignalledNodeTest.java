package org.sfkit.proxy.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.auth.AuthorizationHeader;
import org.sfkit.proxy.ice.IceOptions;
import org.sfkit.proxy.ice.StunBindingResponder;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.signal.server.SignalingServer;
import org.sfkit.proxy.testing.EchoService;

/**
 * Parties that find each other only through an in-process signalling server and STUN responder,
 * all on 127.0.0.1: ICE, certificate exchange, QUIC on the ICE socket, tunnels both ways.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalledNodeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String STUDY = "study-ice";
    private static final List<String> KEYS = List.of("key-0", "key-1", "key-2");
    /**
     * ICE, certificates and QUIC take 1-3 s on loopback, but ice4j's first agent in a JVM alone
     * took 13 s on this 2-core machine under a load of 20-40 (Kotlin reflection).
     */
    private static final Duration UP = Duration.ofSeconds(60);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SignalingServer signalling;
    private StunBindingResponder stun;

    @BeforeEach
    void servers() throws IOException {
        stun = StunBindingResponder.start(new InetSocketAddress(LOOPBACK, 0));
        toClose.add(stun);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private void signallingFor(int parties) throws IOException {
        signalling = SignalingServer.start(new InetSocketAddress(LOOPBACK, 0), Map.of(STUDY, KEYS.subList(0, parties)));
        toClose.add(signalling);
    }

    /** {@code engines} names one engine, or a comma list used by party id in turn (mixed studies). */
    private SignalledNode node(String engines, int pid, int parties) {
        String[] names = engines.split(",");
        String engine = names[pid % names.length];
        Set<Integer> peers = Set.copyOf(IntStream.range(0, parties).filter(p -> p != pid).boxed().toList());
        SignalledNode node = SignalledNode.start(new SignalledConfig(pid,
                URI.create("ws://127.0.0.1:" + signalling.address().getPort() + "/api/ice"), STUDY,
                AuthorizationHeader.key(KEYS.get(pid)), peers,
                new IceOptions(List.of(LOOPBACK), List.of(stun.address())),
                QuicEngines.select(engine), SignalledNode.settings()));
        toClose.add(node);
        return node;
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
    @ValueSource(strings = {"netty", "kwik"})
    void twoPartiesConnectThroughSignallingAndCarryBytesBothWays(String engine) throws Exception {
        signallingFor(2);
        SignalledNode n0 = node(engine, 0, 2);
        SignalledNode n1 = node(engine, 1, 2);
        assertThat(n0.awaitPeers(UP)).isTrue();
        assertThat(n1.awaitPeers(UP)).isTrue();
        int port = echoServer();
        assertThat(echo(n1.open(0, port), "up".getBytes())).isEqualTo("up".getBytes());
        assertThat(echo(n0.open(1, port), "down".getBytes())).isEqualTo("down".getBytes());
        assertThat(n1.peerStatus()).singleElement().satisfies(s -> assertThat(s.path().kind()).isEqualTo("host"));
        System.out.println("signalled setup " + engine + ": " + n1.peerStatus() + " / " + n0.peerStatus());
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty,kwik"})
    void threePartiesWithMixedEnginesReachEachOther(String engines) throws Exception {
        signallingFor(3);
        SignalledNode[] nodes = new SignalledNode[3];
        for (int pid = 0; pid < 3; pid++) {
            nodes[pid] = node(engines, pid, 3);
        }
        for (SignalledNode n : nodes) {
            assertThat(n.awaitPeers(UP)).as("party %d connected", n.pid()).isTrue();
        }
        EchoService.assertEveryPairRoundTrips(List.of(nodes), echoServer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty"})
    void aRestartedPeerIsReachedAgain(String engine) throws Exception {
        signallingFor(2);
        SignalledNode n0 = node(engine, 0, 2);
        SignalledNode n1 = node(engine, 1, 2);
        assertThat(n0.awaitPeers(UP)).isTrue();
        int port = echoServer();
        assertThat(echo(n0.open(1, port), "before".getBytes())).isEqualTo("before".getBytes());

        n1.close(); // the process ends; a new one with the same pid and a new credential starts
        SignalledNode again = node(engine, 1, 2);
        assertThat(again.awaitPeers(UP)).isTrue();
        assertThat(echo(n0.open(1, port), "after".getBytes())).isEqualTo("after".getBytes());
        assertThat(echo(again.open(0, port), "back".getBytes())).isEqualTo("back".getBytes());
    }
}
