package org.sfkit.proxy.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngineContract;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;

/** The engine contract plus what the Netty adapters must get right: FIN ordering, many large streams, limits. */
class NettyQuicEngineTest extends QuicEngineContract {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static NettyQuicEngine engine;

    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startEngine() {
        engine = new NettyQuicEngine();
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    @AfterEach
    void closeOpened() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        workers.shutdownNow();
    }

    @Override
    protected QuicEngine engine() {
        return engine;
    }

    @Override
    protected boolean serverVerifiesClientCertificates() {
        return true;
    }

    private record Pair(QuicConnection client, QuicConnection server) {
    }

    private Pair pair(QuicSettings settings) throws Exception {
        BlockingQueue<QuicConnection> accepted = new LinkedBlockingQueue<>();
        QuicListener listener = engine.listen(ANY_LOOPBACK, serverId, PinnedTrust.of(clientId.certificate()), settings, accepted::add);
        opened.add(listener);
        QuicConnection client = engine.connect(ANY_LOOPBACK, listener.localAddress(), clientId,
                PinnedTrust.of(serverId.certificate()), settings, CONNECT_TIMEOUT);
        opened.add(client);
        QuicConnection server = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(server).isNotNull();
        return new Pair(client, server);
    }

    /** Every peer stream: read to FIN, answer with the SHA-256 of what arrived, FIN. */
    private void digestStreams(QuicConnection conn) {
        conn.onPeerStream(stream -> workers.submit(() -> {
            byte[] digest = digestAll(stream.input());
            try (OutputStream out = stream.output()) {
                out.write(digest);
            }
            return null;
        }));
    }

    private static boolean sendAndCompareDigest(QuicStream stream, int size, long seed) throws Exception {
        byte[] sent = writeRandom(stream.output(), size, seed);
        return MessageDigest.isEqual(stream.input().readAllBytes(), sent);
    }

    @Test
    void twoHundredStreamsOfEightMebibytesInParallelBatches() throws Exception {
        Pair p = pair(QuicSettings.defaults());
        digestStreams(p.server());
        int streams = 200;
        int batch = 20;
        for (int first = 0; first < streams; first += batch) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = first; i < first + batch; i++) {
                long seed = i;
                results.add(workers.submit(() -> sendAndCompareDigest(p.client().openStream(), 8 << 20, seed)));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get(120, TimeUnit.SECONDS)).as("stream digest matches").isTrue();
            }
        }
    }

    /** The writer closes right after one big write: FIN must not overtake data held by flow control. */
    @ParameterizedTest
    @ValueSource(ints = {1, 65_537, 16 << 20})
    void closeRightAfterOneWriteDeliversEveryByte(int size) throws Exception {
        Pair p = pair(QuicSettings.defaults());
        digestStreams(p.server());
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        QuicStream stream = p.client().openStream();
        stream.output().write(payload);
        stream.output().close();
        assertThat(stream.input().readAllBytes()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
    }

    /**
     * After the peer's FIN each write keeps its last byte back (quiche#2525, see NettyQuicStream).
     * The held byte's timed release runs on the event loop, and a lagging loop can queue it ahead
     * of the writer's next buffer: it must then not send the byte that buffer's write held, ahead
     * of the buffer. The lag is made here: a long task that comes due with the release of write A
     * and runs first, while write B is queued behind the release.
     */
    @Test
    void aHeldByteKeepsItsPlaceWhenTheEventLoopLags() throws Exception {
        Pair p = pair(QuicSettings.defaults());
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        NettyQuicStream c = (NettyQuicStream) p.client().openStream();
        c.output().write(0);
        QuicStream s = peerStreams.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        s.output().close();
        assertThat(c.input().readAllBytes()).as("the peer's FIN is in: writes now hold their last byte").isEmpty();

        EventLoop loop = c.channel().eventLoop();
        loop.schedule(() -> pause(100), 20, TimeUnit.MILLISECONDS); // due just before A's release
        byte[] a = {1, 2, 3, 4, 5};
        byte[] b = {6, 7, 8, 9, 10};
        c.output().write(a); // its last byte is held; the release is due in 20 ms
        loop.execute(() -> pause(40)); // busy while both come due: then both are queued, the long one first
        Thread.sleep(70); // the long task runs: B queues behind the release
        c.output().write(b);
        Thread.sleep(200);
        c.output().close();
        assertThat(s.input().readAllBytes()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void resetStopsThePeersWriterAndReader() throws Exception {
        Pair p = pair(QuicSettings.defaults());
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        QuicStream c = p.client().openStream();
        c.output().write(1);
        QuicStream s = peerStreams.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        s.reset(StreamErrorCodes.CONNECT_FAILED);
        // The writer learns of STOP_SENDING on a later write (or the reader on RESET_STREAM).
        assertThatThrownBy(() -> {
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                c.output().write(chunk);
            }
        }).isInstanceOf(StreamResetException.class);
        assertThatThrownBy(() -> c.input().read()).isInstanceOf(StreamResetException.class);
    }

    @Test
    void aRejectedClientsConnectionIsClosed() throws Exception {
        BlockingQueue<QuicConnection> accepted = new LinkedBlockingQueue<>();
        QuicListener listener = engine.listen(ANY_LOOPBACK, serverId, PinnedTrust.of(clientId.certificate()),
                QuicSettings.defaults(), accepted::add);
        opened.add(listener);
        // TLS 1.3: the client may finish its handshake before the server rejects its certificate;
        // the server's CONNECTION_CLOSE must then end the client's connection.
        try {
            QuicConnection stranger = engine.connect(ANY_LOOPBACK, listener.localAddress(), strangerId,
                    PinnedTrust.of(serverId.certificate()), QuicSettings.defaults(), CONNECT_TIMEOUT);
            opened.add(stranger);
            stranger.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(stranger.isOpen()).isFalse();
        } catch (java.io.IOException rejectedDuringHandshake) {
            // also fine: the handshake itself failed
        }
        assertThat(accepted).isEmpty();
    }

    @Test
    void openStreamWaitsForThePeersStreamLimit() throws Exception {
        Pair p = pair(QuicSettings.builder().maxPeerStreams(2).build());
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        QuicStream first = p.client().openStream();
        QuicStream second = p.client().openStream();
        first.output().write(1);
        second.output().write(2);
        CompletableFuture<QuicStream> third = CompletableFuture.supplyAsync(() -> {
            try {
                return p.client().openStream();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, workers);
        QuicStream peerFirst = peerStreams.poll(10, TimeUnit.SECONDS);
        assertThat(peerStreams.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(third).isNotDone();
        // Finishing the first stream both ways returns its credit (MAX_STREAMS, RFC 9000 section 4.6).
        first.output().close();
        assertThat(peerFirst.input().readAllBytes()).containsExactly(1);
        peerFirst.output().close();
        assertThat(first.input().readAllBytes()).isEmpty();
        QuicStream opened = third.get(10, TimeUnit.SECONDS);
        opened.output().write(3);
        opened.output().close();
        assertThat(peerStreams.poll(10, TimeUnit.SECONDS).input().readAllBytes()).containsExactly(3);
    }

    @Test
    void withoutKeepAlivesTheIdleTimeoutClosesBothSides() throws Exception {
        Pair p = pair(QuicSettings.builder().maxIdle(Duration.ofSeconds(1)).keepAlive(Duration.ZERO).build());
        p.client().closeFuture().get(10, TimeUnit.SECONDS);
        p.server().closeFuture().get(10, TimeUnit.SECONDS);
        assertThat(p.client().isOpen()).isFalse();
    }

    @Test
    void keepAlivesHoldAnIdleConnectionOpenPastTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(1500);
        // Five keep-alives per idle period: a loaded CI machine may delay one or two.
        Pair p = pair(QuicSettings.builder().maxIdle(idle).keepAlive(idle.dividedBy(5)).build());
        p.client().useDatagramKeepAlives();
        p.server().useDatagramKeepAlives();
        // Three idle timeouts without application data: only keep-alives cross the connection.
        Thread.sleep(idle.multipliedBy(3).toMillis());
        assertThat(p.client().isOpen()).isTrue();
        assertThat(p.server().isOpen()).isTrue();
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        QuicStream c = p.client().openStream();
        c.output().write(7);
        c.output().close();
        assertThat(peerStreams.poll(10, TimeUnit.SECONDS).input().readAllBytes()).containsExactly(7);
    }

    /** One stream, 1 GiB, through the blocking adapters; prints MB/s and CPU time. Run with -Dsfkit.benchmark=true. */
    @Test
    @EnabledIfSystemProperty(named = "sfkit.benchmark", matches = "true")
    void oneGibibyteThroughOneStream() throws Exception {
        Pair p = pair(QuicSettings.defaults());
        digestStreams(p.server());
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        int size = 1 << 30;
        assertThat(sendAndCompareDigest(p.client().openStream(), size, 42)).isTrue();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        System.out.printf("netty engine, 1 stream, 1 GiB, one JVM (%s): %.0f MB/s, %.1f s, %.1f CPU-s "
                        + "(both ends, incl. random data and SHA-256 on each side)%n",
                io.netty.channel.epoll.Epoll.isAvailable() ? "epoll+GSO" : "NIO", size / 1e6 / seconds, seconds, cpuSeconds);
    }
}
