package org.sfkit.proxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.SocketTcpListener;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;
import org.sfkit.proxy.quic.TcpConnection;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.quic.TcpSplice;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/**
 * What every {@link TcpSplice} does, run through each kind: Netty's native splice (the TCP
 * connection on the stream's event loop) and the threaded one (a socket and two pump threads) on
 * both engines; and the same for a connection an ingress accepted ({@link TcpConnection}: Netty's
 * listener moving it to the stream's loop, the JDK listener with pumps). A real QUIC connection on
 * loopback: the opener writes on one end with the blocking stream API, the far end's stream is
 * spliced to a TCP peer of the test's (a service it connects to, or a client that connected).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpSpliceTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static TlsIdentity serverId;
    private static TlsIdentity clientId;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void identities() throws Exception {
        List<InetAddress> loopback = List.of(InetAddress.getLoopbackAddress());
        serverId = SelfSignedCertificates.generate(loopback);
        clientId = SelfSignedCertificates.generate(loopback);
    }

    @AfterEach
    void closeAll() throws Exception {
        pool.shutdownNow();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** How a test gets the splice of a far-end stream. */
    private enum Kind {
        NETTY_NATIVE(QuicEngines.NETTY, (stream, label) -> stream.nativeTcpSplice().orElseThrow()),
        NETTY_THREADED(QuicEngines.NETTY, StreamBridge::threadedSplice),
        KWIK_THREADED(QuicEngines.KWIK, StreamBridge::threadedSplice),
        /** Accepted by the Netty engine's listener, spliced on the stream's loop. */
        NETTY_ACCEPTED(QuicEngines.NETTY, null, 0),
        /**
         * The same after one other accepted connection: Netty hands accepted channels to its loops
         * in turn, so of these two kinds one accepts on another loop than the stream's and moves.
         */
        NETTY_ACCEPTED_NEXT(QuicEngines.NETTY, null, 1),
        /** Accepted by the kwik engine's (JDK) listener, bridged by pumps. */
        KWIK_ACCEPTED(QuicEngines.KWIK, null, 0);

        final String engine;
        /** Null for kinds that splice an accepted connection. */
        final BiFunction<QuicStream, String, TcpSplice> splice;
        /** Connections accepted and left alone before the one spliced. */
        final int acceptedBefore;

        Kind(String engine, BiFunction<QuicStream, String, TcpSplice> splice) {
            this(engine, splice, 0);
        }

        Kind(String engine, BiFunction<QuicStream, String, TcpSplice> splice, int acceptedBefore) {
            this.engine = engine;
            this.splice = splice;
            this.acceptedBefore = acceptedBefore;
        }

        boolean accepts() {
            return splice == null;
        }
    }

    static Stream<Arguments> kinds() {
        return Stream.of(Kind.values()).map(Arguments::of);
    }

    static Stream<Arguments> connectingKinds() {
        return Stream.of(Kind.values()).filter(kind -> !kind.accepts()).map(Arguments::of);
    }

    static Stream<Arguments> acceptingKinds() {
        return Stream.of(Kind.values()).filter(Kind::accepts).map(Arguments::of);
    }

    /** The opener's stream, the far end's stream, and the TCP service the far end is spliced to. */
    private record Tunnel(QuicStream opener, QuicStream far, TcpSplice splice, Socket service) {
    }

    /**
     * Opens a stream, writes {@code early} (at least one byte: a stream the opener never wrote
     * does not exist for the peer) on it before the far end splices (what a peer sends
     * right behind its port header), then connects the splice to a fresh service and starts it.
     */
    private Tunnel tunnel(Kind kind, byte[] early) throws Exception {
        return tunnel(kind, early, new byte[0]);
    }

    /**
     * As {@link #tunnel(Kind, byte[])}; for an accepting kind the client first sends
     * {@code handshake}, which the test reads through the connection's blocking input.
     */
    private Tunnel tunnel(Kind kind, byte[] early, byte[] handshake) throws Exception {
        QuicEngine engine = QuicEngines.select(kind.engine);
        Streams streams = streams(engine, early);
        QuicStream opener = streams.opener();
        QuicStream far = streams.far();
        if (kind.accepts()) {
            return acceptedTunnel(kind, engine, opener, far, handshake);
        }
        ServerSocket service = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        toClose.add(service);
        TcpSplice splice = kind.splice.apply(far, "test");
        splice.connect((InetSocketAddress) service.getLocalSocketAddress(), Duration.ofSeconds(5));
        Socket accepted1 = service.accept();
        toClose.add(accepted1);
        return new Tunnel(opener, far, splice, accepted1);
    }

    private record Streams(QuicStream opener, QuicStream far) {
    }

    /** A QUIC connection on loopback and a stream on it, with {@code early} written by the opener. */
    private Streams streams(QuicEngine engine, byte[] early) throws Exception {
        BlockingQueue<QuicConnection> accepted = new LinkedBlockingQueue<>();
        QuicListener listener = engine.listen(ANY_LOOPBACK, serverId, PinnedTrust.of(clientId.certificate()),
                QuicSettings.defaults(), accepted::add);
        toClose.add(listener);
        QuicConnection client = engine.connect(ANY_LOOPBACK, listener.localAddress(), clientId,
                PinnedTrust.of(serverId.certificate()), QuicSettings.defaults(), Duration.ofSeconds(10));
        toClose.add(client);
        QuicConnection server = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(server).as("server accepted").isNotNull();
        toClose.add(server);
        BlockingQueue<QuicStream> farStreams = new LinkedBlockingQueue<>();
        server.onPeerStream(farStreams::add);

        QuicStream opener = client.openStream();
        opener.output().write(early);
        QuicStream far = farStreams.poll(10, TimeUnit.SECONDS);
        assertThat(far).as("far end got the stream").isNotNull();
        return new Streams(opener, far);
    }

    /**
     * A client connects to the engine's listener and says {@code handshake}, which is read through
     * the blocking input (as the SOCKS server reads its greeting and request); the splice is then
     * {@link TcpConnection#spliceNatively} where the engine has it, else {@link StreamBridge}.
     */
    private Tunnel acceptedTunnel(Kind kind, QuicEngine engine, QuicStream opener, QuicStream far, byte[] handshake)
            throws Exception {
        TcpListener listener = engine.listenTcp(ANY_LOOPBACK, 4);
        toClose.add(listener);
        for (int i = 0; i < kind.acceptedBefore; i++) {
            toClose.add(new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort()));
            toClose.add(listener.accept());
        }
        Socket client = new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort());
        toClose.add(client);
        TcpConnection connection = listener.accept();
        toClose.add(connection);
        assertThat(connection.remoteAddress().getPort()).isEqualTo(client.getLocalPort());
        client.getOutputStream().write(handshake);
        connection.setReadTimeout(Duration.ofSeconds(10));
        assertThat(connection.input().readNBytes(handshake.length)).isEqualTo(handshake);
        TcpSplice splice = new TcpSplice() {
            @Override
            public void connect(InetSocketAddress target, Duration timeout) {
                throw new UnsupportedOperationException("an accepted connection is connected");
            }

            @Override
            public CompletableFuture<Void> start() {
                Optional<CompletableFuture<Void>> spliced = connection.spliceNatively(far);
                // Netty's listener splices a Netty stream itself; the JDK listener leaves it to the pumps.
                if (kind.engine.equals(QuicEngines.NETTY)) {
                    assertThat(spliced).as("spliced natively").isPresent();
                    return spliced.get();
                }
                assertThat(spliced).as("spliced natively").isEmpty();
                return StreamBridge.bridge(connection, far, "test").thenApply(transfer -> null);
            }

            @Override
            public void abort() {
                connection.abort();
            }
        };
        return new Tunnel(opener, far, splice, client);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void bytesAndHalfClosesCrossBothWaysIncludingWhatArrivedBeforeTheSplice(Kind kind) throws Exception {
        byte[] early = "sent right behind the header".getBytes();
        Tunnel t = tunnel(kind, early);
        Thread.sleep(100); // let the early bytes reach the far end's blocking input before the splice
        CompletableFuture<Void> ended = t.splice().start();

        int size = 16 << 20;
        Future<byte[]> sent = pool.submit(() -> {
            byte[] digest = writeRandom(t.opener().output(), size, 1);
            t.opener().output().close(); // FIN: the service must see EOF
            return digest;
        });
        InputStream fromOpener = t.service().getInputStream();
        assertThat(fromOpener.readNBytes(early.length)).isEqualTo(early);
        assertThat(digestAll(fromOpener)).as("payload then EOF").isEqualTo(sent.get(60, TimeUnit.SECONDS));

        // After the opener's FIN the service still answers, then half-closes its side.
        OutputStream toOpener = t.service().getOutputStream();
        Future<byte[]> answered = pool.submit(() -> {
            byte[] digest = writeRandom(toOpener, size, 2);
            t.service().shutdownOutput();
            return digest;
        });
        assertThat(digestAll(t.opener().input())).as("answer then FIN").isEqualTo(answered.get(60, TimeUnit.SECONDS));
        ended.get(10, TimeUnit.SECONDS);
    }

    /**
     * The TCP peer half-closes first, then reads a long answer that must wait for socket buffer
     * room (EPOLLOUT): Netty 4.2.18's epoll lost such channels (KeepEpollRegistration).
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aTcpPeerThatHalfClosesFirstStillGetsALongAnswer(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {7});
        t.splice().start();
        t.service().getOutputStream().write("request".getBytes());
        t.service().shutdownOutput();
        assertThat(t.opener().input().readAllBytes()).as("request, then FIN").isEqualTo("request".getBytes());
        int size = 16 << 20;
        Future<byte[]> answered = pool.submit(() -> {
            byte[] digest = writeRandom(t.opener().output(), size, 4);
            t.opener().output().close();
            return digest;
        });
        Thread.sleep(500); // the answer fills the TCP buffers before anyone reads
        InputStream in = t.service().getInputStream();
        assertThat(in.read()).isEqualTo(7);
        assertThat(digestAll(in)).as("the whole answer, then EOF").isEqualTo(answered.get(60, TimeUnit.SECONDS));
    }

    /**
     * The stream ends (FIN both ways) while the TCP side still has bytes to deliver to a slow
     * reader: the stream's end must not cut them off.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aSlowTcpReaderGetsEverythingAfterTheStreamEnded(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {7});
        t.splice().start();
        t.service().shutdownOutput(); // the stream's FIN: the stream ends once the opener's FIN is read
        assertThat(t.opener().input().readAllBytes()).isEmpty();
        int size = 16 << 20;
        Future<byte[]> answered = pool.submit(() -> {
            byte[] digest = writeRandom(t.opener().output(), size, 5);
            t.opener().output().close();
            return digest;
        });
        InputStream in = t.service().getInputStream();
        assertThat(in.read()).isEqualTo(7);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[16 << 10];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sha.update(buffer, 0, n);
            Thread.sleep(1); // ~10 MB/s: slower than the tunnel, so bytes wait in the TCP side's buffers
        }
        assertThat(sha.digest()).as("the whole answer, then EOF").isEqualTo(answered.get(60, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aTcpReaderThatPausesLosesNothing(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {7});
        t.splice().start();
        int size = 32 << 20; // beyond the socket buffers and the stream window: back-pressure must hold it
        Future<byte[]> sent = pool.submit(() -> {
            byte[] digest = writeRandom(t.opener().output(), size, 3);
            t.opener().output().close();
            return digest;
        });
        Thread.sleep(1000);
        assertThat(sent.isDone()).as("the writer is held back while nobody reads").isFalse();
        assertThat(t.service().getInputStream().read()).isEqualTo(7);
        assertThat(digestAll(t.service().getInputStream())).isEqualTo(sent.get(60, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aTcpAbortResetsTheStream(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {1});
        t.splice().start();
        assertThat(t.service().getInputStream().read()).isEqualTo(1);
        t.service().setSoLinger(true, 0);
        t.service().close(); // RST
        assertThatThrownBy(() -> t.opener().input().readAllBytes()).isInstanceOf(StreamResetException.class);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aStreamResetAbortsTheTcpConnection(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {1});
        t.splice().start();
        InputStream in = t.service().getInputStream();
        assertThat(in.read()).isEqualTo(1);
        t.opener().reset(StreamErrorCodes.ABORTED);
        assertThatThrownBy(() -> in.read()).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    @ParameterizedTest
    @MethodSource("acceptingKinds")
    void bytesBeyondTheHandshakeAndAnEofBeforeTheSpliceReachTheStream(Kind kind) throws Exception {
        byte[] handshake = "greeting".getBytes();
        Tunnel t = tunnel(kind, new byte[] {1}, handshake);
        byte[] pipelined = "sent with the handshake, before any reply".getBytes();
        t.service().getOutputStream().write(pipelined);
        t.service().shutdownOutput(); // and the client is done sending
        Thread.sleep(100); // let the bytes and the FIN reach the connection before the splice
        t.splice().start();
        assertThat(t.opener().input().readAllBytes()).as("the rest, then FIN").isEqualTo(pipelined);
        // The other direction is still open: the early stream byte, then what the opener sends.
        t.opener().output().write(new byte[] {2, 3});
        t.opener().output().close();
        assertThat(t.service().getInputStream().readAllBytes()).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @MethodSource("acceptingKinds")
    void aClientThatAbortedBeforeTheSpliceResetsTheStream(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {1}, "hi".getBytes());
        t.service().setSoLinger(true, 0);
        t.service().close(); // RST while the ingress was dialling
        Thread.sleep(100);
        t.splice().start();
        assertThatThrownBy(() -> t.opener().input().readAllBytes()).isInstanceOf(StreamResetException.class);
    }

    /**
     * The pumps' race behind a CI failure of the test above: the kernel reports an RST once, to the
     * first read or write after it. Here the write pump's write takes it and its thread then
     * stalls (as a descheduled thread does) before it resets the stream, while the read pump's
     * next read returns EOF: that EOF must not become a FIN. The connection's streams are the real
     * socket's, with the write's stall and a delay of the first read (so the write goes first) added.
     */
    @ParameterizedTest
    @ValueSource(strings = {QuicEngines.NETTY, QuicEngines.KWIK})
    void aResetTakenByTheWritePumpIsNotReadAsEof(String engine) throws Exception {
        Streams streams = streams(QuicEngines.select(engine), new byte[] {1});
        Thread.sleep(100); // the byte is at the far end: the write pump writes it at once
        try (ServerSocket ingress = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), ingress.getLocalPort());
                Socket accepted = ingress.accept()) {
            client.setSoLinger(true, 0);
            client.close(); // RST
            Thread.sleep(100);
            TcpConnection real = SocketTcpListener.wrap(accepted);
            TcpConnection stalling = new TcpConnection() {
                @Override
                public InetSocketAddress remoteAddress() {
                    return real.remoteAddress();
                }

                @Override
                public InputStream input() throws IOException {
                    InputStream in = real.input();
                    return new FilterInputStream(in) {
                        private boolean first = true;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (first) {
                                first = false;
                                sleep(200);
                            }
                            return in.read(b, off, len);
                        }
                    };
                }

                @Override
                public OutputStream output() throws IOException {
                    OutputStream out = real.output();
                    return new FilterOutputStream(out) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            try {
                                out.write(b, off, len);
                            } catch (IOException e) {
                                sleep(500);
                                throw e;
                            }
                        }
                    };
                }

                @Override
                public void setReadTimeout(Duration timeout) throws IOException {
                    real.setReadTimeout(timeout);
                }

                @Override
                public void shutdownOutput() throws IOException {
                    real.shutdownOutput();
                }

                @Override
                public void abort() {
                    real.abort();
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
            StreamBridge.bridge(stalling, streams.far(), "test");
            assertThatThrownBy(() -> streams.opener().input().readAllBytes())
                    .isInstanceOf(StreamResetException.class);
        }
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }

    @ParameterizedTest
    @MethodSource("connectingKinds")
    void aRefusedPortIsAConnectExceptionAndAbortBeforeStartSendsAnRst(Kind kind) throws Exception {
        Tunnel t = tunnel(kind, new byte[] {7});
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        TcpSplice refused = kind.splice.apply(t.far(), "test");
        assertThatThrownBy(() -> refused.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort),
                Duration.ofSeconds(5))).isInstanceOf(ConnectException.class);

        t.splice().abort(); // connected, never started: the service sees an abort, not EOF
        assertThatThrownBy(() -> t.service().getInputStream().read())
                .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    private static byte[] writeRandom(OutputStream out, int size, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] chunk = new byte[50_000]; // not a power of two: writes straddle every buffer boundary
        for (int left = size; left > 0; left -= chunk.length) {
            random.nextBytes(chunk);
            int n = Math.min(left, chunk.length);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
        }
        return sha.digest();
    }

    private static byte[] digestAll(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sha.update(buffer, 0, n);
        }
        return sha.digest();
    }
}
