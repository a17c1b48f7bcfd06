package org.sfkit.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sfkit.proxy.socks.SocksFixtures.LOOPBACK_ANY_PORT;
import static org.sfkit.proxy.socks.SocksFixtures.PARTY_PLAN;
import static org.sfkit.proxy.socks.SocksFixtures.TEST_TIMEOUT_MILLIS;
import static org.sfkit.proxy.socks.SocksFixtures.assertEchoes;
import static org.sfkit.proxy.socks.SocksFixtures.awaitClosedByServer;
import static org.sfkit.proxy.socks.SocksFixtures.connect;
import static org.sfkit.proxy.socks.SocksFixtures.randomBytes;
import static org.sfkit.proxy.socks.SocksFixtures.readExactly;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;
import org.sfkit.proxy.tunnel.TunnelException.Reason;

/** The server over real loopback sockets, a raw byte-level client and a fake dialer. */
class SocksServerTest {
    /**
     * The dialer the server gets: here the dialer's own listener (the JDK one);
     * {@link SocksServerNettyListenerTest} runs every test again on the Netty engine's listener.
     */
    TunnelDialer listening(TunnelDialer dialer) {
        return dialer;
    }

    private static final byte[] GREETING_NO_AUTH = Bytes.of(5, 1, 0);
    private static final String METHOD_NO_AUTH = "05 00";
    private static final String SUCCESS_REPLY = "05 00 00 01 00 00 00 00 00 00";
    /** Short enough to keep the stalled-client tests quick; the default is what production gets. */
    private static final Duration SHORT_HANDSHAKE_TIMEOUT = Duration.ofMillis(300);

    private LogCapture log;
    private EchoServer echo;

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

    private static byte[] connectRequest(int a, int b, int c, int d, int port) {
        return Bytes.of(5, 1, 0, 1, a, b, c, d, port >> 8, port & 0xFF);
    }

    /** Greets with no-auth, sends {@code request}, returns the reply bytes as hex. */
    private static String request(Socket client, byte[] request) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(GREETING_NO_AUTH);
        assertThat(Bytes.hex(readExactly(client, 2))).isEqualTo(METHOD_NO_AUTH);
        out.write(request);
        return Bytes.hex(readExactly(client, 10));
    }

    @Test
    void connectsThroughTheDialerRepliesZeroAddressAndEchoes() throws Exception {
        RecordingDialer dialer = RecordingDialer.toLoopback(echo.port());
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), null);
                Socket client = connect(server)) {
            assertThat(request(client, connectRequest(10, 0, 0, 3, 5000))).isEqualTo(SUCCESS_REPLY);
            assertEchoes(client, randomBytes(1 << 20, 1));
            assertThat(dialer.calls()).containsExactly("3:5000");
        }
        assertThat(log.records()).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.INFO);
            assertThat(r.getMessage()).startsWith("SOCKS5 listening addr=/127.0.0.1:");
        });
    }

    @Test
    void halfCloseKeepsTheReturnDirectionOpenUntilTheEchoIsDone() throws Exception {
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN,
                listening(RecordingDialer.toLoopback(echo.port())), null);
                Socket client = connect(server)) {
            assertThat(request(client, connectRequest(10, 0, 0, 1, 80))).isEqualTo(SUCCESS_REPLY);
            client.getOutputStream().write("first half".getBytes());
            client.shutdownOutput();
            // Everything sent before our FIN still comes back, then the echo's FIN.
            assertThat(new String(client.getInputStream().readAllBytes())).isEqualTo("first half");
        }
    }

    @Test
    void bytesPipelinedBehindTheRequestReachTheFarSide() throws Exception {
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN,
                listening(RecordingDialer.toLoopback(echo.port())), null);
                Socket client = connect(server)) {
            client.getOutputStream().write(Bytes.of(GREETING_NO_AUTH, connectRequest(10, 0, 0, 1, 80), "early"));
            client.shutdownOutput();
            assertThat(Bytes.hex(readExactly(client, 12))).isEqualTo(METHOD_NO_AUTH + " " + SUCCESS_REPLY);
            assertThat(new String(client.getInputStream().readAllBytes())).isEqualTo("early");
        }
    }

    static Stream<Arguments> refusals() {
        TunnelDialer ioFailure = (party, port) -> {
            throw new IOException("stream limit reached");
        };
        TunnelDialer buggy = (party, port) -> {
            throw new UnsupportedOperationException("not yet");
        };
        return Stream.of(
                Arguments.of("far side refused", failing(Reason.CONNECTION_REFUSED), connectRequest(10, 0, 0, 1, 80),
                        SocksReplyCode.CONNECTION_REFUSED, List.of("1:80")),
                Arguments.of("unknown party", failing(Reason.UNKNOWN_PARTY), connectRequest(10, 0, 0, 7, 80),
                        SocksReplyCode.HOST_UNREACHABLE, List.of("7:80")),
                Arguments.of("peer unreachable", failing(Reason.PEER_UNREACHABLE), connectRequest(10, 0, 0, 2, 80),
                        SocksReplyCode.HOST_UNREACHABLE, List.of("2:80")),
                Arguments.of("far side connect failed", failing(Reason.CONNECT_FAILED), connectRequest(10, 0, 0, 1, 80),
                        SocksReplyCode.GENERAL_FAILURE, List.of("1:80")),
                Arguments.of("transport error", failing(Reason.TRANSPORT_ERROR), connectRequest(10, 0, 0, 1, 80),
                        SocksReplyCode.GENERAL_FAILURE, List.of("1:80")),
                Arguments.of("other I/O failure", ioFailure, connectRequest(10, 0, 0, 1, 80),
                        SocksReplyCode.GENERAL_FAILURE, List.of("1:80")),
                Arguments.of("dialer bug (unchecked exception)", buggy, connectRequest(10, 0, 0, 1, 80),
                        SocksReplyCode.GENERAL_FAILURE, List.of("1:80")),
                Arguments.of("address not in the plan", null, connectRequest(192, 0, 2, 1, 80),
                        SocksReplyCode.HOST_UNREACHABLE, List.of()),
                Arguments.of("name not in the plan", null, Bytes.of(5, 1, 0, 3, 15, "example.invalid", 0, 80),
                        SocksReplyCode.HOST_UNREACHABLE, List.of()),
                Arguments.of("port 0", null, connectRequest(10, 0, 0, 1, 0),
                        SocksReplyCode.HOST_UNREACHABLE, List.of()),
                Arguments.of("BIND", null, Bytes.of(5, 2, 0, 1, 10, 0, 0, 1, 0, 80),
                        SocksReplyCode.COMMAND_NOT_SUPPORTED, List.of()),
                Arguments.of("UDP ASSOCIATE", null, Bytes.of(5, 3, 0, 1, 0, 0, 0, 0, 0, 0),
                        SocksReplyCode.COMMAND_NOT_SUPPORTED, List.of()),
                Arguments.of("unknown command", null, Bytes.of(5, 0x7f, 0, 1, 10, 0, 0, 1, 0, 80),
                        SocksReplyCode.COMMAND_NOT_SUPPORTED, List.of()),
                Arguments.of("unknown address type, address bytes left unread", null,
                        Bytes.of(5, 1, 0, 9, 10, 0, 0, 1, 0, 80, "more bytes the server never parses"),
                        SocksReplyCode.ADDRESS_TYPE_NOT_SUPPORTED, List.of()));
    }

    private static TunnelDialer failing(Reason reason) {
        return (party, port) -> {
            throw new TunnelException(reason, "test dialer: " + reason);
        };
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("refusals")
    void refusesWithTheReplyCodeThenCloses(String name, TunnelDialer behaviour, byte[] request,
            SocksReplyCode expected, List<String> expectedDials) throws Exception {
        RecordingDialer dialer = new RecordingDialer(behaviour != null ? behaviour
                : (party, port) -> {
                    throw new AssertionError("must not dial " + party + ":" + port);
                });
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), null);
                Socket client = connect(server)) {
            assertThat(request(client, request)).isEqualTo(Bytes.hex(SocksWire.reply(expected)));
            awaitClosedByServer(client);
            assertThat(dialer.calls()).isEqualTo(expectedDials);
        }
    }

    static Stream<Arguments> stalledClients() {
        return Stream.of(
                Arguments.of("sends nothing", Bytes.of()),
                Arguments.of("half a greeting", Bytes.of(5, 3, 0)),
                Arguments.of("greeting, no request", GREETING_NO_AUTH),
                Arguments.of("greeting and half a request", Bytes.of(GREETING_NO_AUTH, 5, 1, 0, 1, 10, 0)),
                Arguments.of("greeting and a request missing its port's last byte",
                        Bytes.of(GREETING_NO_AUTH, 5, 1, 0, 3, 8, "10.0.0.1", 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stalledClients")
    void stalledHandshakeIsClosed(String name, byte[] sentThenSilent) throws Exception {
        RecordingDialer dialer = RecordingDialer.toLoopback(echo.port());
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), null,
                SHORT_HANDSHAKE_TIMEOUT, SocksServer.MAX_CONCURRENT_HANDSHAKES);
                Socket client = connect(server)) {
            client.getOutputStream().write(sentThenSilent);
            awaitClosedByServer(client);
            assertThat(dialer.calls()).isEmpty();
        }
    }

    @Test
    void aClientTricklingBytesCannotStretchTheHandshake() throws Exception {
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN,
                listening(RecordingDialer.toLoopback(echo.port())), null, SHORT_HANDSHAKE_TIMEOUT,
                SocksServer.MAX_CONCURRENT_HANDSHAKES);
                Socket client = connect(server)) {
            // 255 methods, one byte every 50 ms: each read is quick, the whole greeting is not.
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(Bytes.of(5, 255));
                    for (int i = 0; i < 255; i++) {
                        Thread.sleep(50);
                        out.write(0x80);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed: what the test waits for
                }
            });
            awaitClosedByServer(client);
            client.close();
            trickle.get(TEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aSlowDialDoesNotHoldUpOtherClients() throws Exception {
        CountDownLatch dialingParty2 = new CountDownLatch(1);
        CountDownLatch releaseParty2 = new CountDownLatch(1);
        TunnelDialer toEcho = RecordingDialer.toLoopback(echo.port());
        RecordingDialer dialer = new RecordingDialer((party, port) -> {
            if (party == 2) {
                dialingParty2.countDown();
                try {
                    releaseParty2.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return toEcho.open(party, port);
        });
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(dialer), null);
                Socket slow = connect(server);
                Socket fast = connect(server)) {
            slow.getOutputStream().write(Bytes.of(GREETING_NO_AUTH, connectRequest(10, 0, 0, 2, 80)));
            assertThat(dialingParty2.await(TEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();

            assertThat(request(fast, connectRequest(10, 0, 0, 1, 80))).isEqualTo(SUCCESS_REPLY);
            assertEchoes(fast, "not held up".getBytes());
            assertThat(slow.getInputStream().available()).as("no reply before the dial returned").isEqualTo(2);

            releaseParty2.countDown();
            assertThat(Bytes.hex(readExactly(slow, 12))).isEqualTo(METHOD_NO_AUTH + " " + SUCCESS_REPLY);
            assertEchoes(slow, "after the dial".getBytes());
        }
    }

    @Test
    void overTheHandshakeCapANewConnectionIsClosedAtOnce() throws Exception {
        try (SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN,
                listening(RecordingDialer.toLoopback(echo.port())), null, SocksServer.HANDSHAKE_TIMEOUT, 1);
                Socket holder = connect(server)) {
            holder.getOutputStream().write(GREETING_NO_AUTH);
            assertThat(Bytes.hex(readExactly(holder, 2))).isEqualTo(METHOD_NO_AUTH); // holds the one slot
            try (Socket refused = connect(server)) {
                awaitClosedByServer(refused);
            }
            holder.getOutputStream().write(connectRequest(10, 0, 0, 1, 80));
            assertThat(Bytes.hex(readExactly(holder, 10))).isEqualTo(SUCCESS_REPLY);
            assertEchoes(holder, "still served".getBytes());
        }
    }

    @Test
    void closeEndsHandshakesInFlightKeepsBridgedConnectionsAndIsIdempotent() throws Exception {
        SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN,
                listening(RecordingDialer.toLoopback(echo.port())), null);
        try (Socket bridged = connect(server); Socket handshaking = connect(server)) {
            assertThat(request(bridged, connectRequest(10, 0, 0, 1, 80))).isEqualTo(SUCCESS_REPLY);
            handshaking.getOutputStream().write(GREETING_NO_AUTH);
            assertThat(Bytes.hex(readExactly(handshaking, 2))).isEqualTo(METHOD_NO_AUTH);

            server.close();
            server.close();

            awaitClosedByServer(handshaking);
            assertEchoes(bridged, "outlives the listener".getBytes());
            assertThatThrownBy(() -> new Socket(server.localAddress().getAddress(), server.localAddress().getPort()))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void closeEndsAHandshakeWaitingForTheDialer() throws Exception {
        CountDownLatch dialing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Boolean> streamReset = new CopyOnWriteArrayList<>();
        TunnelDialer toEcho = RecordingDialer.toLoopback(echo.port());
        TunnelDialer slow = (party, port) -> {
            dialing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            QuicStream stream = toEcho.open(party, port);
            return new ResetRecordingStream(stream, streamReset);
        };
        SocksServer server = SocksServer.start(LOOPBACK_ANY_PORT, PARTY_PLAN, listening(slow), null);
        try (Socket client = connect(server)) {
            client.getOutputStream().write(Bytes.of(GREETING_NO_AUTH, connectRequest(10, 0, 0, 1, 80)));
            assertThat(dialing.await(TEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
            server.close();
            readExactly(client, 2);
            awaitClosedByServer(client);
            release.countDown();
        }
        // The dial that returned after the client was gone must not leak its stream.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TEST_TIMEOUT_MILLIS);
        while (streamReset.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(streamReset).containsExactly(true);
    }

    /** Notes a reset, so a test can see the server abandon a stream it no longer needs. */
    private record ResetRecordingStream(QuicStream delegate, List<Boolean> resets)
            implements QuicStream {
        @Override
        public long id() {
            return delegate.id();
        }

        @Override
        public InputStream input() {
            return delegate.input();
        }

        @Override
        public OutputStream output() {
            return delegate.output();
        }

        @Override
        public void reset(long errorCode) {
            resets.add(true);
            delegate.reset(errorCode);
        }
    }
}
