package org.sfkit.proxy.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/**
 * What every {@link QuicEngine} must do, run once per engine by a subclass. Real sockets on
 * loopback, real TLS, no mocks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class QuicEngineContract {
    protected static TlsIdentity serverId;
    protected static TlsIdentity clientId;
    protected static TlsIdentity strangerId;
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    /** The engine under test (may be a fresh one per call). */
    protected abstract QuicEngine engine();

    /** The engine whose client connects to {@link #engine()}'s server; the same by default. */
    protected QuicEngine clientEngine() {
        return engine();
    }

    /** Whether the server side of {@link #engine()} checks client certificates in TLS (kwik cannot). */
    protected abstract boolean serverVerifiesClientCertificates();

    @BeforeAll
    static void identities() throws Exception {
        List<InetAddress> loopback = List.of(InetAddress.getLoopbackAddress());
        serverId = SelfSignedCertificates.generate(loopback);
        clientId = SelfSignedCertificates.generate(loopback);
        strangerId = SelfSignedCertificates.generate(loopback);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        pool.shutdownNow();
    }

    /** A server whose accepted connections land in the returned queue. */
    protected BlockingQueue<QuicConnection> server(TlsIdentity id, PinnedTrust clients, InetSocketAddress[] boundOut)
            throws IOException {
        return server(id, clients, boundOut, QuicSettings.defaults());
    }

    private BlockingQueue<QuicConnection> server(TlsIdentity id, PinnedTrust clients, InetSocketAddress[] boundOut,
                                                 QuicSettings settings) throws IOException {
        BlockingQueue<QuicConnection> accepted = new LinkedBlockingQueue<>();
        QuicListener listener = engine().listen(ANY_LOOPBACK, id, clients, settings, accepted::add);
        toClose.add(listener);
        boundOut[0] = listener.localAddress();
        return accepted;
    }

    protected QuicConnection client(InetSocketAddress server, TlsIdentity id, PinnedTrust trust) throws IOException {
        return client(server, id, trust, QuicSettings.defaults());
    }

    private QuicConnection client(InetSocketAddress server, TlsIdentity id, PinnedTrust trust, QuicSettings settings)
            throws IOException {
        QuicConnection c = clientEngine().connect(ANY_LOOPBACK, server, id, trust, settings, CONNECT_TIMEOUT);
        toClose.add(c);
        return c;
    }

    private record Pair(QuicConnection client, QuicConnection server) {
    }

    private Pair connectedPair() throws Exception {
        return connectedPair(QuicSettings.defaults());
    }

    private Pair connectedPair(QuicSettings settings) throws Exception {
        InetSocketAddress[] bound = new InetSocketAddress[1];
        BlockingQueue<QuicConnection> accepted = server(serverId, PinnedTrust.of(clientId.certificate()), bound, settings);
        QuicConnection c = client(bound[0], clientId, PinnedTrust.of(serverId.certificate()), settings);
        QuicConnection s = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(s).as("server accepted a connection").isNotNull();
        toClose.add(s);
        return new Pair(c, s);
    }

    /** Echo every peer-opened stream on {@code conn}: read to FIN, then write it all back and FIN. */
    private void echoStreams(QuicConnection conn) {
        conn.onPeerStream(stream -> pool.submit(() -> {
            byte[] data = stream.input().readAllBytes();
            try (OutputStream out = stream.output()) {
                out.write(data);
            }
            return null;
        }));
    }

    private static byte[] roundTrip(QuicStream stream, byte[] payload) throws IOException {
        try (OutputStream out = stream.output()) {
            out.write(payload);
        }
        return stream.input().readAllBytes();
    }

    @Test
    void clientOpenedStreamEchoesWithHalfClose() throws Exception {
        Pair p = connectedPair();
        echoStreams(p.server());
        byte[] payload = "hello through quic".getBytes();
        assertThat(roundTrip(p.client().openStream(), payload)).isEqualTo(payload);
    }

    @Test
    void serverOpenedStreamEchoes() throws Exception {
        Pair p = connectedPair();
        echoStreams(p.client());
        byte[] payload = new byte[100_000];
        new Random(1).nextBytes(payload);
        assertThat(roundTrip(p.server().openStream(), payload)).isEqualTo(payload);
    }

    @Test
    void halfCloseKeepsTheOtherDirectionOpen() throws Exception {
        Pair p = connectedPair();
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        QuicStream c = p.client().openStream();
        c.output().write(new byte[] {1, 2, 3});
        c.output().close();
        QuicStream s = peerStreams.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        assertThat(s.input().readAllBytes()).containsExactly(1, 2, 3);
        // After the client's FIN the server can still send, in several writes, then FIN.
        for (int i = 0; i < 5; i++) {
            s.output().write(new byte[] {(byte) i});
        }
        s.output().close();
        assertThat(c.input().readAllBytes()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aResetReachesThePeersReaderAsAResetNotAsEndOfStream() throws Exception {
        Pair p = connectedPair();
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        QuicStream c = p.client().openStream();
        c.output().write(new byte[] {0x1f, (byte) 0x90});
        QuicStream s = peerStreams.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        assertThat(s.input().readNBytes(2)).containsExactly(0x1f, 0x90);
        s.reset(StreamErrorCodes.CONNECTION_REFUSED);
        InputStream in = c.input();
        // The code itself may be lost on the way (Netty 4.2.18 drops received codes); nothing of
        // ours depends on it (the tunnel's connect status is in-band).
        assertThatThrownBy(in::read).isInstanceOf(StreamResetException.class);
    }

    @Test
    void largeTransferArrivesIntact() throws Exception {
        Pair p = connectedPair();
        BlockingQueue<QuicStream> peerStreams = new LinkedBlockingQueue<>();
        p.server().onPeerStream(peerStreams::add);
        int size = 64 << 20;
        QuicStream c = p.client().openStream();
        Future<byte[]> sent = pool.submit(() -> writeRandom(c.output(), size, 7));
        QuicStream s = peerStreams.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        assertThat(digestAll(s.input())).isEqualTo(sent.get(60, TimeUnit.SECONDS));
    }

    /**
     * Keep-alives must be something the peer accepts, both before and after the node marks the
     * peer as one of ours: a Netty datagram keep-alive to a kwik peer that had not negotiated
     * datagrams closed the connection at the first one, in the middle of a transfer.
     */
    @ParameterizedTest(name = "datagram keep-alives {0}")
    @ValueSource(booleans = {false, true})
    void aConnectionStaysUsableAcrossManyKeepAlives(boolean ours) throws Exception {
        Pair p = connectedPair(QuicSettings.builder().keepAlive(Duration.ofMillis(200)).build());
        if (ours) {
            p.client().useDatagramKeepAlives();
            p.server().useDatagramKeepAlives();
        }
        echoStreams(p.server());
        Thread.sleep(2_000); // ten keep-alive periods, each way
        byte[] payload = new byte[64 * 1024];
        new Random(7).nextBytes(payload);
        assertThat(roundTrip(p.client().openStream(), payload)).isEqualTo(payload);
    }

    @Test
    void manyConcurrentStreamsBothWays() throws Exception {
        Pair p = connectedPair();
        echoStreams(p.server());
        echoStreams(p.client());
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            QuicConnection opener = i % 2 == 0 ? p.client() : p.server();
            int seed = i;
            results.add(pool.submit(() -> {
                byte[] payload = new byte[256 * 1024];
                new Random(seed).nextBytes(payload);
                return java.util.Arrays.equals(roundTrip(opener.openStream(), payload), payload);
            }));
        }
        for (Future<Boolean> r : results) {
            assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void oneListenerAcceptsSeveralClientsAtOnce() throws Exception {
        InetSocketAddress[] bound = new InetSocketAddress[1];
        BlockingQueue<QuicConnection> accepted = server(serverId,
                new PinnedTrust(List.of(clientId.certificate(), strangerId.certificate())), bound);
        List<Future<QuicConnection>> clients = new ArrayList<>();
        for (TlsIdentity id : List.of(clientId, strangerId, clientId)) {
            clients.add(pool.submit(() -> client(bound[0], id, PinnedTrust.of(serverId.certificate()))));
        }
        for (Future<QuicConnection> c : clients) {
            assertThat(c.get(30, TimeUnit.SECONDS).isOpen()).isTrue();
        }
        for (int i = 0; i < clients.size(); i++) {
            QuicConnection s = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(s).as("server connection %d", i).isNotNull();
            toClose.add(s);
            echoStreams(s);
        }
        for (Future<QuicConnection> c : clients) {
            assertThat(roundTrip(c.get().openStream(), new byte[] {9})).containsExactly(9);
        }
    }

    @Test
    void clientRejectsAnUnpinnedServerCertificate() throws Exception {
        InetSocketAddress[] bound = new InetSocketAddress[1];
        server(strangerId, PinnedTrust.of(clientId.certificate()), bound);
        assertThatThrownBy(() -> client(bound[0], clientId, PinnedTrust.of(serverId.certificate())))
                .isInstanceOf(IOException.class);
    }

    @Test
    void serverRejectsAnUnpinnedClientCertificateWhereItCan() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(serverVerifiesClientCertificates(),
                "this engine's server cannot request client certificates; the tunnel's control stream covers it");
        InetSocketAddress[] bound = new InetSocketAddress[1];
        BlockingQueue<QuicConnection> accepted = server(serverId, PinnedTrust.of(clientId.certificate()), bound);
        // TLS 1.3: the client's handshake may finish before the server judged its certificate, so
        // the proof is that no connection is accepted and a stream cannot complete a round trip.
        try {
            QuicConnection c = client(bound[0], strangerId, PinnedTrust.of(serverId.certificate()));
            CompletableFuture<byte[]> echo = CompletableFuture.supplyAsync(() -> {
                try {
                    return roundTrip(c.openStream(), new byte[] {1});
                } catch (IOException e) {
                    return null;
                }
            }, pool);
            assertThat(accepted.poll(3, TimeUnit.SECONDS)).isNull();
            assertThat(echo.completeOnTimeout(null, 3, TimeUnit.SECONDS).get()).isNull();
        } catch (IOException expected) {
            assertThat(accepted).isEmpty();
        }
    }

    @Test
    void closingOneSideCompletesThePeersCloseFuture() throws Exception {
        Pair p = connectedPair();
        p.client().close();
        p.server().closeFuture().get(10, TimeUnit.SECONDS);
        assertThat(p.server().isOpen()).isFalse();
    }

    protected static byte[] writeRandom(OutputStream out, int size, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        for (int done = 0; done < size; done += chunk.length) {
            random.nextBytes(chunk);
            int n = Math.min(chunk.length, size - done);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
        }
        out.close();
        return sha.digest();
    }

    protected static byte[] digestAll(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sha.update(buffer, 0, n);
        }
        return sha.digest();
    }
}
