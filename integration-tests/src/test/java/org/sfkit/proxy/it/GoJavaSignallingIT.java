package org.sfkit.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.sfkit.proxy.auth.AuthorizationHeader;
import org.sfkit.proxy.ice.IceOptions;
import org.sfkit.proxy.it.harness.EchoRoundTrip;
import org.sfkit.proxy.it.harness.EofEchoServer;
import org.sfkit.proxy.it.harness.FreePorts;
import org.sfkit.proxy.it.harness.GoParty;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.ProxyProcess;
import org.sfkit.proxy.it.harness.Socks5Client;
import org.sfkit.proxy.node.SignalledConfig;
import org.sfkit.proxy.node.SignalledNode;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.signal.server.SignalingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our Java party in signalling mode against the Go party (pion/ice v2, quic-go 0.29): the two
 * find each other through our signalling server and a STUN responder on loopback, with the Go
 * party sending only server-reflexive candidates as the Go peer does, then carry bytes both ways
 * (spec sections 3 to 7). The Java party runs in-process.
 */
@Timeout(180)
class GoJavaSignallingIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int BYTES = 2 << 20;

    /**
     * kwik only as the QUIC server: as a client it cannot read the Go server's certificate (the
     * JDK refuses its empty issuer); as a server it cannot ask for the Go client's certificate and
     * relies on ICE's authenticated path.
     */
    @ParameterizedTest(name = "Java party {0} on {2}, Go party {1}")
    @CsvSource({"0, 1, netty", "1, 0, netty", "0, 1, kwik"})
    void javaAndGoConnectThroughSignallingAndCarryBytesBothWays(int javaPid, int goPid, String engine) throws Exception {
        try (SignalingServer server = SignalingServer.start(new InetSocketAddress(LOOPBACK, 0),
                java.util.Map.of(GoSignallingIT.STUDY, GoSignallingIT.KEYS));
             GoParty stun = GoParty.start("go-stun-" + engine + javaPid, List.of("stun", "-listen", "127.0.0.1:0"));
             EofEchoServer echo = EofEchoServer.start()) {
            String stunAddress = stun.awaitLine("STUN ", GoSignallingIT.CONNECT_WAIT).split(" ")[1];
            int colon = stunAddress.lastIndexOf(':');
            InetSocketAddress stunServer = new InetSocketAddress(LOOPBACK, Integer.parseInt(stunAddress.substring(colon + 1)));
            try (GoParty go = GoSignallingIT.signallingGoParty(server, "stun:" + stunAddress, goPid, javaPid, echo.port(), false);
                 SignalledNode java = SignalledNode.start(new SignalledConfig(javaPid,
                         URI.create("ws://127.0.0.1:" + server.address().getPort() + "/api/ice"), GoSignallingIT.STUDY,
                         AuthorizationHeader.key(GoSignallingIT.KEYS.get(javaPid)), Set.of(goPid),
                         new IceOptions(List.of(LOOPBACK), List.of(stunServer)),
                         QuicEngines.select(engine), SignalledNode.settings()))) {
                go.awaitLine("CONNECTED " + javaPid, GoSignallingIT.CONNECT_WAIT);
                assertThat(java.awaitPeers(GoSignallingIT.CONNECT_WAIT)).as("Java party connected to the Go party").isTrue();

                QuicStream stream = java.open(goPid, echo.port());
                EchoRoundTrip.assertEchoed(stream.output(), stream.output()::close, stream.input(), BYTES);

                int forward = Integer.parseInt(go.awaitLine("FORWARD ", GoSignallingIT.CONNECT_WAIT).split(" ")[1]);
                try (Socket socket = new Socket(LOOPBACK, forward)) {
                    EchoRoundTrip.assertEchoed(socket, BYTES);
                }
                System.out.println("Go interop, signalled, " + engine + ": " + java.peerStatus());
            }
        }
    }

    /** The same through the jar's command line in signalling mode, with SOCKS ingress to 10.0.0.0. */
    @Test
    void jarInSignallingModeReachesGoPartyThroughSocks() throws Exception {
        int socks = FreePorts.next();
        try (SignalingServer server = SignalingServer.start(new InetSocketAddress(LOOPBACK, 0),
                java.util.Map.of(GoSignallingIT.STUDY, GoSignallingIT.KEYS));
             GoParty stun = GoParty.start("go-stun-jar", List.of("stun", "-listen", "127.0.0.1:0"));
             EofEchoServer echo = EofEchoServer.start()) {
            String stunAddress = stun.awaitLine("STUN ", GoSignallingIT.CONNECT_WAIT).split(" ")[1];
            try (GoParty go = GoSignallingIT.signallingGoParty(server, "stun:" + stunAddress, 0, 1, echo.port(), false);
                 ProxyProcess jar = ProxyProcess.start("java-signalled-with-go", List.of("-vv", "-pid", "1",
                         "-api", "ws://127.0.0.1:" + server.address().getPort() + "/api/ice", "-study", GoSignallingIT.STUDY,
                         "-auth-key", GoSignallingIT.KEYS.get(1), "-stun", "stun:" + stunAddress, "--parties", "0,1",
                         "--ice-host", "127.0.0.1", "-socks", "socks5://127.0.0.1:" + socks, "--quic-engine", QuicEngines.NETTY),
                         ItEnvironment.workDir("logs").resolve("java-signalled-with-go.log"))) {
                go.awaitLine("CONNECTED 1", GoSignallingIT.CONNECT_WAIT);
                Socks5Client.Reply reply = Socks5Client.connect(new InetSocketAddress(LOOPBACK, socks), "10.0.0.0",
                        echo.port(), Socks5Client.AddressType.IPV4);
                assertThat(reply.code()).as("SOCKS reply; jar log:\n" + jar.tail()).isEqualTo(Socks5Client.SUCCEEDED);
                try (Socket socket = reply.socket()) {
                    EchoRoundTrip.assertEchoed(socket, BYTES);
                }
                int forward = Integer.parseInt(go.awaitLine("FORWARD ", GoSignallingIT.CONNECT_WAIT).split(" ")[1]);
                try (Socket socket = new Socket(LOOPBACK, forward)) {
                    EchoRoundTrip.assertEchoed(socket, BYTES);
                }
            }
        }
    }
}
