package org.sfkit.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.sfkit.proxy.it.harness.EchoRoundTrip;
import org.sfkit.proxy.it.harness.EofEchoServer;
import org.sfkit.proxy.it.harness.FreePorts;
import org.sfkit.proxy.it.harness.GoParty;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.ProxyProcess;
import org.sfkit.proxy.it.harness.Socks5Client;
import org.sfkit.proxy.node.NodeConfig;
import org.sfkit.proxy.node.ProxyNode;
import org.sfkit.proxy.node.StaticPeer;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.Pem;
import org.sfkit.proxy.tls.SelfSignedCertificates;
import org.sfkit.proxy.tunnel.PeerDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our Java party against a party built on the Go peer's own QUIC and TLS stacks (quic-go 0.29,
 * Go 1.19 crypto/tls), with static addresses and certificate files: QUIC v1, ALPN {@code sfkit},
 * mutual TLS pinning Go's empty-subject certificates, the 2-byte port header and half-closes
 * (spec sections 6 and 7). The Java party runs in-process; the Go party is a child process.
 */
@Timeout(180)
class GoStaticInteropIT {
    /** Enough for many QUIC flow-control updates in both directions, small enough for CI. */
    private static final int BYTES = 4 << 20;
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    /** Which side of the QUIC handshake the Go party takes: the higher party id dials (spec section 6). */
    enum GoRole {
        CLIENT(1, 0), SERVER(0, 1);

        final int goPid;
        final int javaPid;

        GoRole(int goPid, int javaPid) {
            this.goPid = goPid;
            this.javaPid = javaPid;
        }
    }

    @ParameterizedTest(name = "Go as QUIC {0}, Java on Netty")
    @EnumSource(GoRole.class)
    void bytesCrossBothWaysOnNetty(GoRole role) throws Exception {
        try (EofEchoServer echo = EofEchoServer.start(); Pair pair = Pair.start(dir, QuicEngines.NETTY, role, echo.port())) {
            assertThat(pair.node.awaitPeers(CONNECT_WAIT)).as("Java party connected to the Go party").isTrue();

            // Java opens the stream: Go reads the port header and connects to the echo service.
            QuicStream stream = pair.node.open(role.goPid, echo.port());
            EchoRoundTrip.assertEchoed(stream.output(), stream.output()::close, stream.input(), BYTES);

            // Go opens the stream (its forward listener): Java answers it without a status byte.
            try (Socket socket = new Socket(LOOPBACK, pair.goForwardPort)) {
                EchoRoundTrip.assertEchoed(socket, BYTES);
            }
        }
    }

    /**
     * kwik cannot request a TLS client certificate and the Go client sends no in-band proof, so a
     * kwik server has no way to know who dialled: it refuses the connection at the Go client's
     * first stream, and says why.
     */
    @Test
    void kwikServerRefusesGoClientAndSaysWhy() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger nodeLog = Logger.getLogger(ProxyNode.class.getPackageName()); // ClientAdmission logs the refusal
        Handler capture = new Handler() {
            @Override public void publish(LogRecord record) { warnings.add(record.getMessage()); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        nodeLog.addHandler(capture);
        try (EofEchoServer echo = EofEchoServer.start(); Pair pair = Pair.start(dir, QuicEngines.KWIK, GoRole.CLIENT, echo.port())) {
            pair.go.awaitLine("CONNECTED", CONNECT_WAIT); // the handshake itself succeeds
            try (Socket socket = new Socket(LOOPBACK, pair.goForwardPort)) {
                socket.setSoTimeout((int) CONNECT_WAIT.toMillis());
                socket.getOutputStream().write(new byte[] {1, 2, 3});
                socket.shutdownOutput();
                assertThat(socket.getInputStream().readAllBytes()).as("nothing came back through the refused connection").isEmpty();
            } catch (IOException reset) {
                // also a refusal: the Go party reset the TCP connection when its stream was reset
            }
            assertThat(warnings).anySatisfy(w -> assertThat(w).contains("cannot request TLS client certificates"));
            assertThat(pair.node.connectedPeers()).isEmpty();
            assertThat(echo.callers()).isEmpty();
        } finally {
            nodeLog.removeHandler(capture);
        }
    }

    /**
     * The same through the jar's command line: {@code --go-peer} (no client proof, no connect
     * status), the Go certificate pinned from its PEM file, SOCKS ingress to 10.0.0.N.
     */
    @Test
    void jarWithGoPeerFlagCarriesSocksTrafficBothWays() throws Exception {
        TlsIdentity java = SelfSignedCertificates.generate(List.of(LOOPBACK));
        Path javaCert = dir.resolve("java.pem");
        Path javaKey = dir.resolve("java.key");
        Pem.writeIdentity(java, javaCert, javaKey);
        Path goCert = dir.resolve("go.pem");
        Path goKey = dir.resolve("go.key");
        GoParty.run(List.of("gencert", "-cert", goCert.toString(), "-key", goKey.toString()));
        int socks = FreePorts.next();
        try (EofEchoServer echo = EofEchoServer.start();
             GoParty go = GoParty.start("go-static-server-jar", List.of("static", "-pid", "0", "-peer", "1=127.0.0.1:9",
                     "-peer-cert", javaCert.toString(), "-cert", goCert.toString(), "-key", goKey.toString(),
                     "-forward", "0=" + echo.port()))) {
            String goQuic = go.awaitLine("QUIC ", CONNECT_WAIT).split(" ")[1];
            try (ProxyProcess jar = ProxyProcess.start("java-with-go-peer", List.of("-v", "-pid", "1",
                    "-socks", "socks5://127.0.0.1:" + socks, "--udp-host", "127.0.0.1",
                    "--cert", javaCert.toString(), "--key", javaKey.toString(), "--quic-engine", QuicEngines.NETTY,
                    "--peer", "0=" + goQuic, "--peer-cert", "0=" + goCert, "--go-peer", "0"),
                    ItEnvironment.workDir("logs").resolve("java-with-go-peer.log"))) {
                go.awaitLine("CONNECTED 1", CONNECT_WAIT);
                Socks5Client.Reply reply = Socks5Client.connect(new InetSocketAddress(LOOPBACK, socks), "10.0.0.0",
                        echo.port(), Socks5Client.AddressType.IPV4);
                assertThat(reply.code()).as("SOCKS reply; jar log:\n" + jar.tail()).isEqualTo(Socks5Client.SUCCEEDED);
                try (Socket socket = reply.socket()) {
                    EchoRoundTrip.assertEchoed(socket, BYTES);
                }
                int forward = Integer.parseInt(go.awaitLine("FORWARD ", CONNECT_WAIT).split(" ")[1]);
                try (Socket socket = new Socket(LOOPBACK, forward)) {
                    EchoRoundTrip.assertEchoed(socket, BYTES);
                }
            }
        }
    }

    /** One Java party (in-process) and one Go party (child process) that pin each other's certificates. */
    private static final class Pair implements AutoCloseable {
        final ProxyNode node;
        final GoParty go;
        final int goForwardPort;

        private Pair(ProxyNode node, GoParty go, int goForwardPort) {
            this.node = node;
            this.go = go;
            this.goForwardPort = goForwardPort;
        }

        static Pair start(Path dir, String engine, GoRole role, int echoPort) throws Exception {
            TlsIdentity java = SelfSignedCertificates.generate(List.of(LOOPBACK));
            Path javaCert = Files.writeString(dir.resolve("java.pem"), Pem.certificate(java.certificate()));
            Path goCert = dir.resolve("go.pem");
            Path goKey = dir.resolve("go.key");
            GoParty.run(List.of("gencert", "-cert", goCert.toString(), "-key", goKey.toString()));
            byte[] goDer = Pem.certificateDer(Files.readString(goCert));
            InetSocketAddress anyLoopback = new InetSocketAddress(LOOPBACK, 0);
            List<String> goArgs = List.of("static", "-pid", Integer.toString(role.goPid), "-peer-cert", javaCert.toString(),
                    "-cert", goCert.toString(), "-key", goKey.toString(), "-forward", "0=" + echoPort);
            ProxyNode node = null;
            GoParty go = null;
            try {
                InetSocketAddress goQuic;
                if (role == GoRole.SERVER) {
                    go = GoParty.start("go-static-server-" + engine, concat(goArgs, "-peer", role.javaPid + "=127.0.0.1:9"));
                    goQuic = address(go.awaitLine("QUIC ", CONNECT_WAIT));
                    node = javaNode(engine, role, java, goQuic, goDer);
                } else {
                    // The Go client's address is not dialled by anyone; the port only fills the record.
                    node = javaNode(engine, role, java, anyLoopback, goDer);
                    InetSocketAddress javaQuic = node.quicAddress();
                    go = GoParty.start("go-static-client-" + engine, concat(goArgs, "-peer",
                            role.javaPid + "=127.0.0.1:" + javaQuic.getPort()));
                }
                int forwardPort = Integer.parseInt(go.awaitLine("FORWARD ", CONNECT_WAIT).split(" ")[1]);
                return new Pair(node, go, forwardPort);
            } catch (Exception | AssertionError e) {
                if (go != null) {
                    go.close();
                }
                if (node != null) {
                    node.close();
                }
                throw e;
            }
        }

        private static ProxyNode javaNode(String engine, GoRole role, TlsIdentity identity, InetSocketAddress goEndpoint,
                                          byte[] goCertificate) throws IOException {
            StaticPeer go = new StaticPeer(role.goPid, goEndpoint, goCertificate, PeerDialect.GO);
            return ProxyNode.start(new NodeConfig(role.javaPid, identity, new InetSocketAddress(LOOPBACK, 0),
                    Map.of(role.goPid, go), QuicEngines.select(engine), QuicSettings.defaults()));
        }

        private static InetSocketAddress address(String line) {
            String hostPort = line.split(" ")[1];
            int colon = hostPort.lastIndexOf(':');
            return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        }

        private static List<String> concat(List<String> head, String... tail) {
            List<String> all = new java.util.ArrayList<>(head);
            all.addAll(List.of(tail));
            return all;
        }

        @Override
        public void close() {
            go.close();
            node.close();
        }
    }
}
