package org.sfkit.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.it.harness.Cluster;
import org.sfkit.proxy.it.harness.Curl;
import org.sfkit.proxy.it.harness.ExternalCommand;
import org.sfkit.proxy.it.harness.FreePorts;
import org.sfkit.proxy.it.harness.HttpFileServer;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.Sha256;
import org.sfkit.proxy.it.harness.Socks5Client;
import org.sfkit.proxy.it.harness.Socks5Client.AddressType;
import org.sfkit.proxy.it.harness.TestFiles;
import org.sfkit.proxy.it.harness.TestFiles.DataFile;

/**
 * Two proxy processes (parties 0 and 1) per QUIC engine, driven by real SOCKS clients: curl,
 * ncat, the JDK's own client and a byte-exact one. Apps only NAME 10.0.0.N; all traffic is on
 * 127.0.0.1. One cluster per engine serves every test of this class.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TwoPartyIT {
    /** Big enough that a flow-control or back-pressure bug shows, small enough for kwik's ~35 MB/s. */
    private static final long DOWNLOAD_SIZE = 256 * TestFiles.MIB;
    /** More than the socket buffers on both ends plus a stream window, so half-close follows real data. */
    private static final long NCAT_INPUT_SIZE = 4 * TestFiles.MIB;
    private static final int CONCURRENT_CONNECTIONS = 100;
    /** Per connection; distinct content per connection so crossed streams would show. */
    private static final int CONCURRENT_PAYLOAD = 64 * 1024;
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(3);

    private static final Map<String, Cluster> CLUSTERS = new HashMap<>();
    private static DataFile download;
    private static DataFile ncatInput;
    private static HttpFileServer http;

    @BeforeAll
    static void serveFiles() throws IOException {
        Path data = ItEnvironment.workDir("data");
        download = TestFiles.ensure(data, "download-256m.bin", DOWNLOAD_SIZE);
        ncatInput = TestFiles.ensure(data, "ncat-input-4m.bin", NCAT_INPUT_SIZE);
        http = HttpFileServer.serve(data);
    }

    @AfterAll
    static void stopAll() throws IOException {
        for (Cluster cluster : CLUSTERS.values()) {
            cluster.close();
        }
        CLUSTERS.clear();
        http.close();
    }

    private static synchronized Cluster cluster(String engine) throws IOException, InterruptedException {
        Cluster cluster = CLUSTERS.get(engine);
        if (cluster == null) {
            cluster = Cluster.start("TwoPartyIT-" + engine, engine, 2);
            CLUSTERS.put(engine, cluster);
        }
        return cluster;
    }

    static Stream<Arguments> downloads() {
        return ItEnvironment.engineNames().flatMap(engine -> Stream.of(Curl.Naming.values()).flatMap(naming ->
                Stream.of(Arguments.of(engine, 0, 1, naming), Arguments.of(engine, 1, 0, naming))));
    }

    @ParameterizedTest(name = "{0}: party {1} downloads 256 MiB from party {2} with curl {3}")
    @MethodSource("downloads")
    void curlDownloadsTheFileServedByTheOtherParty(String engine, int client, int server, Curl.Naming naming)
            throws Exception {
        Cluster cluster = cluster(engine);
        String url = "http://" + Cluster.partyHost(server) + ":" + http.port() + "/" + download.name();

        Curl.Download got = Curl.fetch(cluster.socks(client), naming, url, CLIENT_TIMEOUT);

        assertThat(got.result().exitCode()).as(got.result()::describe).isZero();
        assertThat(got.size()).isEqualTo(download.size());
        assertThat(got.sha256()).isEqualTo(download.sha256());
    }

    static Stream<Arguments> directions() {
        return ItEnvironment.engineNames().flatMap(engine ->
                Stream.of(Arguments.of(engine, 0, 1), Arguments.of(engine, 1, 0)));
    }

    @ParameterizedTest(name = "{0}: ncat from party {1} to party {2} half-closes, the echo answers after EOF")
    @MethodSource("directions")
    void ncatHalfCloseCarriesEofBothWays(String engine, int client, int server) throws Exception {
        Cluster cluster = cluster(engine);
        InetSocketAddress socks = cluster.socks(client);
        Sha256 echoed = new Sha256();

        ExternalCommand.Result result = ExternalCommand.run(List.of("ncat",
                "--proxy", socks.getHostString() + ":" + socks.getPort(), "--proxy-type", "socks5",
                Cluster.partyHost(server), Integer.toString(cluster.echoPort())),
                ncatInput.path(), echoed, CLIENT_TIMEOUT);

        assertThat(result.exitCode()).as(result::describe).isZero();
        assertThat(echoed.count()).isEqualTo(ncatInput.size());
        assertThat(echoed.hex()).isEqualTo(ncatInput.sha256());
    }

    static Stream<Arguments> jdkDestinations() {
        return ItEnvironment.engineNames().flatMap(engine -> Stream.of(
                Arguments.of(engine, "IPv4 address", false),
                Arguments.of(engine, "unresolved name (domain ATYP)", true)));
    }

    @ParameterizedTest(name = "{0}: java.net.Socket through an explicit SOCKS Proxy, destination as {1}")
    @MethodSource("jdkDestinations")
    void jdkSocksClientRoundTrip(String engine, String description, boolean unresolved) throws Exception {
        Cluster cluster = cluster(engine);
        byte[] payload = TestFiles.bytes(unresolved ? 2 : 1, 256 * 1024);
        InetSocketAddress destination = unresolved
                ? InetSocketAddress.createUnresolved(Cluster.partyHost(1), cluster.echoPort())
                : new InetSocketAddress(Cluster.partyHost(1), cluster.echoPort());

        try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, cluster.socks(0)))) {
            socket.connect(destination, (int) CLIENT_TIMEOUT.toMillis());
            socket.getOutputStream().write(payload);
            socket.shutdownOutput();
            assertThat(socket.getInputStream().readAllBytes()).isEqualTo(payload);
        }
    }

    @ParameterizedTest(name = "{0}: a child JVM with -DsocksProxyHost reaches the other party with plain new Socket()")
    @MethodSource("org.sfkit.proxy.it.harness.ItEnvironment#engineNames")
    void jdkSocksSystemPropertiesInChildJvm(String engine) throws Exception {
        Cluster cluster = cluster(engine);
        InetSocketAddress socks = cluster.socks(1);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();

        ExternalCommand.Result result = ExternalCommand.run(List.of(ItEnvironment.javaCommand(),
                "-DsocksProxyHost=" + socks.getHostString(), "-DsocksProxyPort=" + socks.getPort(),
                "-DsocksNonProxyHosts=", "-cp", System.getProperty("java.class.path"),
                SocketRoundTrip.class.getName(), Cluster.partyHost(0), Integer.toString(cluster.echoPort())),
                null, stdout, CLIENT_TIMEOUT);

        assertThat(result.exitCode()).as(() -> result.describe() + "; stdout: " + stdout).isZero();
        assertThat(stdout.toString()).contains(SocketRoundTrip.SUCCESS);
    }

    @ParameterizedTest(name = "{0}: 100 concurrent connections, half in each direction, each echoes its own payload")
    @MethodSource("org.sfkit.proxy.it.harness.ItEnvironment#engineNames")
    void hundredConcurrentConnectionsEachEchoTheirOwnPayload(String engine) throws Exception {
        Cluster cluster = cluster(engine);
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_CONNECTIONS);
        CountDownLatch allConnected = new CountDownLatch(CONCURRENT_CONNECTIONS);
        try {
            List<Future<byte[]>> echoes = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_CONNECTIONS; i++) {
                int from = i % 2;
                byte[] payload = TestFiles.bytes(1000 + i, CONCURRENT_PAYLOAD);
                Callable<byte[]> roundTrip = () -> {
                    Socks5Client.Reply reply;
                    try {
                        reply = Socks5Client.connect(cluster.socks(from), Cluster.partyHost(1 - from),
                                cluster.echoPort(), AddressType.IPV4);
                    } finally {
                        allConnected.countDown();
                    }
                    assertThat(reply.code()).as("SOCKS reply").isEqualTo(Socks5Client.SUCCEEDED);
                    try (Socket socket = reply.socket()) {
                        // All streams are open at once before any data flows.
                        allConnected.await();
                        socket.getOutputStream().write(payload);
                        socket.shutdownOutput();
                        return socket.getInputStream().readAllBytes();
                    }
                };
                echoes.add(clients.submit(roundTrip));
            }
            for (int i = 0; i < CONCURRENT_CONNECTIONS; i++) {
                assertThat(echoes.get(i).get()).as("connection " + i)
                        .isEqualTo(TestFiles.bytes(1000 + i, CONCURRENT_PAYLOAD));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    static Stream<Arguments> refusals() {
        return ItEnvironment.engineNames().flatMap(engine -> Stream.of(
                Arguments.of(engine, "nothing listens on the port", "10.0.0.1", AddressType.IPV4,
                        Socks5Client.CONNECTION_REFUSED),
                Arguments.of(engine, "nothing listens on the port", "10.0.0.1", AddressType.DOMAIN,
                        Socks5Client.CONNECTION_REFUSED),
                Arguments.of(engine, "party 9 is not configured", "10.0.0.9", AddressType.IPV4,
                        Socks5Client.HOST_UNREACHABLE),
                Arguments.of(engine, "party 9 is not configured", "10.0.0.9", AddressType.DOMAIN,
                        Socks5Client.HOST_UNREACHABLE)));
    }

    @ParameterizedTest(name = "{0}: {1}: CONNECT {2} as {3} gets reply {4}")
    @MethodSource("refusals")
    void failedConnectGetsTheMatchingSocksReply(String engine, String why, String host, AddressType type,
                                                int expectedReply) throws Exception {
        Cluster cluster = cluster(engine);
        // A port nothing listens on: handed out as free and never bound.
        int closedPort = FreePorts.next();

        Socks5Client.Reply reply = Socks5Client.connect(cluster.socks(0), host, closedPort, type);

        assertThat(reply.code()).isEqualTo(expectedReply);
    }
}
