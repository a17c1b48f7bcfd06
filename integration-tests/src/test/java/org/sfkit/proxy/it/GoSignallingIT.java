package org.sfkit.proxy.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.sfkit.proxy.it.harness.EchoRoundTrip;
import org.sfkit.proxy.it.harness.EofEchoServer;
import org.sfkit.proxy.it.harness.GoParty;
import org.sfkit.proxy.signal.server.SignalingServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Two Go parties (pion/ice v2 and quic-go 0.29, the Go peer's own libraries) find each other
 * through our signalling server and a local STUN responder: proves that the Go party speaks the
 * signalling, ICE and certificate exchange of the spec (sections 3, 5, 6) against our server, so
 * that the Java-against-Go signalling tests test our party, not our Go party. Loopback only.
 */
@Timeout(120)
class GoSignallingIT {
    static final String STUDY = "go-study";
    static final List<String> KEYS = List.of("key-party-0", "key-party-1");
    /** ICE, certificates and QUIC on loopback take about a second; a loaded CI machine gets more. */
    static final Duration CONNECT_WAIT = Duration.ofSeconds(60);
    private static final int BYTES = 2 << 20;

    /** srflx only, as the Go peer gathers; and with host candidates too, as our Java party offers. */
    @ParameterizedTest(name = "host candidates: {0}")
    @ValueSource(booleans = {false, true})
    void twoGoPartiesConnectThroughOurSignallingServer(boolean hostCandidates) throws Exception {
        try (SignalingServer server = SignalingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Map.of(STUDY, KEYS));
             GoParty stun = GoParty.start("go-stun", List.of("stun", "-listen", "127.0.0.1:0"));
             EofEchoServer echo = EofEchoServer.start()) {
            String stunUri = "stun:" + stun.awaitLine("STUN ", CONNECT_WAIT).split(" ")[1];
            try (GoParty party0 = signallingGoParty(server, stunUri, 0, 1, echo.port(), hostCandidates);
                 GoParty party1 = signallingGoParty(server, stunUri, 1, 0, echo.port(), hostCandidates)) {
                party0.awaitLine("CONNECTED 1", CONNECT_WAIT);
                party1.awaitLine("CONNECTED 0", CONNECT_WAIT);
                for (GoParty from : List.of(party1, party0)) { // QUIC client's streams, then the server's
                    int port = Integer.parseInt(from.awaitLine("FORWARD ", CONNECT_WAIT).split(" ")[1]);
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        EchoRoundTrip.assertEchoed(socket, BYTES);
                    }
                }
            }
        }
    }

    /** A Go party in signalling mode whose forward listener reaches {@code echoPort} on {@code peer}. */
    static GoParty signallingGoParty(SignalingServer server, String stunUri, int pid, int peer, int echoPort,
                                     boolean hostCandidates) throws Exception {
        InetSocketAddress api = server.address();
        return GoParty.start("go-signal-" + pid + "-" + server.address().getPort(), List.of("signal",
                "-api", "ws://127.0.0.1:" + api.getPort() + "/api/ice", "-study", STUDY, "-pid", Integer.toString(pid),
                "-auth-key", KEYS.get(pid), "-stun", stunUri, "-peers", Integer.toString(peer),
                "-forward", peer + ":0=" + echoPort, "-host=" + hostCandidates));
    }
}
