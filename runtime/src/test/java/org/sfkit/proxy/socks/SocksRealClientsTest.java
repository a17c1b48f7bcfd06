package org.sfkit.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sfkit.proxy.socks.SocksFixtures.LOOPBACK_ANY_PORT;
import static org.sfkit.proxy.socks.SocksFixtures.PARTY_PLAN;
import static org.sfkit.proxy.socks.SocksFixtures.TEST_TIMEOUT_MILLIS;
import static org.sfkit.proxy.socks.SocksFixtures.assertEchoes;
import static org.sfkit.proxy.socks.SocksFixtures.randomBytes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;
import org.sfkit.proxy.tunnel.TunnelException.Reason;

/**
 * Real SOCKS5 clients against the server: the JDK's own ({@code java.net.SocksSocketImpl}) and
 * curl. Every destination is a 10.0.0.N label inside the SOCKS request; the clients only ever
 * connect to the proxy on 127.0.0.1 (the JDK, given an explicit {@link Proxy}, connects to the
 * proxy address and writes the destination into the request; curl with {@code --socks5} does the
 * same), and the fake dialer carries the bytes to a loopback server.
 */
class SocksRealClientsTest {
    /**
     * The dialer the server gets: here the dialer's own listener (the JDK one);
     * {@link SocksRealClientsNettyListenerTest} runs every test again on the Netty engine's listener.
     */
    TunnelDialer listening(TunnelDialer dialer) {
        return dialer;
    }

    private static final SocksCredentials ALICE = new SocksCredentials("alice", "s3cret");
    private static final int PARTY_PORT = 6000;

    private EchoServer echo;
    private LogCapture log;

    @BeforeEach
    void setUp() throws IOException {
        echo = new EchoServer();
        log = new LogCapture();
    }

    @AfterEach
    void tearDown() throws IOException {
        log.close();
        echo.close();
    }

    private static Socket jdkClientVia(SocksServer server) throws SocketException {
        Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, server.localAddress()));
        socket.setSoTimeout(TEST_TIMEOUT_MILLIS);
        return socket;
    }

    static Stream<Arguments> jdkDestinations() throws IOException {
        return Stream.of(
                Arguments.of(InetSocketAddress.createUnresolved("10.0.0.1", PARTY_PORT), SocksAddressType.DOMAIN_NAME),
                Arguments.of(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), PARTY_PORT),
                        SocksAddressType.IPV4));
    }

    @ParameterizedTest(name = "{0} is sent as {1}")
    @MethodSource("jdkDestinations")
    void jdkClientReachesPartyOne(InetSocketAddress destination, SocksAddressType expectedType) throws Exception {
        RecordingDialer dialer = RecordingDialer.toLoopback(echo.port());
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), null);
                Socket socket = jdkClientVia(server)) {
            socket.connect(destination, TEST_TIMEOUT_MILLIS);
            assertEchoes(socket, randomBytes(256 * 1024, 2));
        }
        assertThat(dialer.calls()).containsExactly("1:" + PARTY_PORT);
        assertThat(log.messages()).anyMatch(m -> m.contains(
                new SocksRequest(SocksCommand.CONNECT, expectedType, "10.0.0.1", PARTY_PORT).toString()));
    }

    @Test
    void jdkClientHalfClosesAndStillReadsTheWholeEcho() throws Exception {
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN,
                listening(RecordingDialer.toLoopback(echo.port())), null);
                Socket socket = jdkClientVia(server)) {
            socket.connect(InetSocketAddress.createUnresolved("10.0.0.1", PARTY_PORT), TEST_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write("sent before FIN".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertThat(socket.isOutputShutdown()).isTrue();
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("sent before FIN");
        }
    }

    static Stream<Arguments> jdkRefusals() {
        return Stream.of(
                Arguments.of(Reason.CONNECTION_REFUSED, "Connection refused"),
                Arguments.of(Reason.UNKNOWN_PARTY, "Host unreachable"),
                Arguments.of(Reason.PEER_UNREACHABLE, "Host unreachable"),
                Arguments.of(Reason.CONNECT_FAILED, "general failure"),
                Arguments.of(Reason.TRANSPORT_ERROR, "general failure"));
    }

    /** The JDK turns every reply code into a plain SocketException (not ConnectException). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdkRefusals")
    void jdkClientSeesTheReplyCode(Reason reason, String jdkMessage) throws Exception {
        RecordingDialer dialer = new RecordingDialer((party, port) -> {
            throw new TunnelException(reason, "test");
        });
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), null);
                Socket socket = jdkClientVia(server)) {
            assertThatThrownBy(() -> socket.connect(InetSocketAddress.createUnresolved("10.0.0.4", 80),
                    TEST_TIMEOUT_MILLIS))
                    .isExactlyInstanceOf(SocketException.class)
                    .hasMessageContaining(jdkMessage);
        }
        assertThat(dialer.calls()).containsExactly("4:80");
    }

    static Stream<Arguments> jdkAuthentications() {
        return Stream.of(
                Arguments.of("alice", "s3cret", true),
                Arguments.of("alice", "wrong", false),
                Arguments.of("mallory", "s3cret", false));
    }

    @ParameterizedTest(name = "{0}/{1} accepted={2}")
    @MethodSource("jdkAuthentications")
    void jdkClientAuthenticatesThroughTheDefaultAuthenticator(String user, String password, boolean accepted)
            throws Exception {
        Authenticator previous = Authenticator.getDefault();
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                // The JDK asks with protocol "SOCKS5" for the proxy's host and port.
                return "SOCKS5".equals(getRequestingProtocol())
                        ? new PasswordAuthentication(user, password.toCharArray())
                        : null;
            }
        });
        RecordingDialer dialer = RecordingDialer.toLoopback(echo.port());
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), ALICE);
                Socket socket = jdkClientVia(server)) {
            InetSocketAddress destination = InetSocketAddress.createUnresolved("10.0.0.2", PARTY_PORT);
            if (accepted) {
                socket.connect(destination, TEST_TIMEOUT_MILLIS);
                assertEchoes(socket, "authenticated".getBytes(StandardCharsets.US_ASCII));
                assertThat(dialer.calls()).containsExactly("2:" + PARTY_PORT);
            } else {
                assertThatThrownBy(() -> socket.connect(destination, TEST_TIMEOUT_MILLIS))
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("authentication failed");
                assertThat(dialer.calls()).isEmpty();
            }
        } finally {
            Authenticator.setDefault(previous);
        }
    }

    enum CurlMode {
        /** {@code --socks5}: curl sends the IPv4 literal as ATYP 1. */
        SOCKS5_NO_AUTH("--socks5", null),
        /** {@code --socks5-hostname}: curl leaves the name to the proxy. */
        SOCKS5_HOSTNAME("--socks5-hostname", null),
        /** RFC 1929 through {@code --proxy-user}. */
        SOCKS5_USER_PASSWORD("--socks5", ALICE);

        final String option;
        final SocksCredentials credentials;

        CurlMode(String option, SocksCredentials credentials) {
            this.option = option;
            this.credentials = credentials;
        }
    }

    @ParameterizedTest
    @EnumSource(CurlMode.class)
    void curlFetchesFromPartyOneThroughTheProxy(CurlMode mode) throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        Assumptions.assumeTrue(Files.isExecutable(curl), "curl not installed");
        byte[] body = randomBytes(300 * 1024, 3);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/data", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        RecordingDialer dialer = RecordingDialer.toLoopback(http.getAddress().getPort());
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), mode.credentials)) {
            List<String> command = new ArrayList<>(List.of(curl.toString(), "-q", "--silent", "--show-error",
                    "--fail", "--max-time", String.valueOf(TEST_TIMEOUT_MILLIS / 1000),
                    mode.option, "127.0.0.1:" + server.localAddress().getPort()));
            if (mode.credentials != null) {
                command.addAll(List.of("--proxy-user", mode.credentials.username() + ":" + mode.credentials.password()));
            }
            command.add("http://10.0.0.1:8080/data");
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().clear(); // no *_proxy variables, no ~/.curlrc (also -q)
            Process process = builder.start();
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return process.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] stdout = process.getInputStream().readAllBytes();
            assertThat(process.waitFor(TEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(process.exitValue())
                    .as(() -> new String(stderr.join(), StandardCharsets.UTF_8))
                    .isZero();
            assertThat(stdout).isEqualTo(body);
        } finally {
            http.stop(0);
        }
        assertThat(dialer.calls()).containsExactly("1:8080");
    }
}
