package org.sfkit.proxy.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.tunnel.ClientProof;
import org.sfkit.proxy.tunnel.PeerDialect;
import org.sfkit.proxy.tunnel.TunnelEnds;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * One party's proxy with static peers: a QUIC server for higher-numbered peers (they are the
 * clients, spec section 6), a QUIC client toward each lower-numbered peer, the responder that
 * connects incoming streams to {@code 127.0.0.1:port}, and the {@link org.sfkit.proxy.tunnel.TunnelDialer} that
 * ingresses (SOCKS, agent) use. One stream ending never ends the node; a lost connection is
 * redialled by its client side.
 */
public final class ProxyNode implements PartyNode {
    private static final Logger LOG = Logger.getLogger(ProxyNode.class.getName());
    /**
     * How long {@link #open} waits for a link that is not up yet: covers the start-up race (sfkit
     * starts the MPC tool one second after the proxy) without holding a SOCKS client long.
     */
    static final Duration LINK_WAIT = Duration.ofSeconds(5);
    /** Redial back-off: fast first retries for peers starting together, capped to stay polite. */
    static final Duration REDIAL_MIN = Duration.ofMillis(200);
    static final Duration REDIAL_MAX = Duration.ofSeconds(5);
    /**
     * How long one dial may take before it counts as failed (a peer that is not up yet). A cold
     * JVM on a loaded 2-core machine took 3 s for its first handshake here; 10 s leaves room.
     */
    static final Duration DIAL_TIMEOUT = Duration.ofSeconds(10);

    private final NodeConfig config;
    private final Map<Integer, PeerLink> links = new TreeMap<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private QuicListener listener;

    private ProxyNode(NodeConfig config) {
        this.config = config;
        AtomicInteger ids = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "sfkit-node-" + config.pid() + "-" + ids.incrementAndGet()));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sfkit-node-" + config.pid() + "-timer"));
        for (StaticPeer peer : config.peers().values()) {
            if (peer.pid() == config.pid()) {
                throw new IllegalArgumentException("party " + peer.pid() + " is this proxy itself; it cannot be a peer");
            }
            links.put(peer.pid(), new PeerLink(peer.pid(), workers));
        }
    }

    public static ProxyNode start(NodeConfig config) throws IOException {
        ProxyNode node = new ProxyNode(config);
        try {
            node.listen();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        for (PeerLink link : node.links.values()) {
            if (link.pid() < config.pid()) {
                node.workers.execute(() -> node.dialLoop(link));
            }
        }
        return node;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public int pid() {
        return config.pid();
    }

    /** The UDP address our QUIC server is bound to. */
    public InetSocketAddress quicAddress() {
        return listener.localAddress();
    }

    @Override
    public QuicEngine engine() {
        return config.engine();
    }

    @Override
    public boolean awaitPeers(Duration timeout) throws InterruptedException {
        return PeerLink.awaitAll(links.values(), timeout);
    }

    @Override
    public List<Integer> connectedPeers() {
        return links.values().stream().filter(PeerLink::isConnected).map(PeerLink::pid).toList();
    }

    @Override
    public QuicStream open(int party, int port) throws TunnelException, IOException {
        if (closed.get()) {
            throw new TunnelException(TunnelException.Reason.PEER_UNREACHABLE, "the proxy is shutting down");
        }
        PeerLink link = links.get(party);
        if (link == null) {
            String why = party == config.pid() ? "party " + party + " is this proxy itself" : "party " + party + " is not a configured peer";
            throw new TunnelException(TunnelException.Reason.UNKNOWN_PARTY, why);
        }
        QuicConnection connection;
        try {
            connection = link.awaitConnection(LINK_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(TunnelException.Reason.PEER_UNREACHABLE, "interrupted while waiting for party " + party);
        }
        if (connection == null) {
            throw new TunnelException(TunnelException.Reason.PEER_UNREACHABLE,
                    "no connection to party " + party + " (waited " + LINK_WAIT.toSeconds() + " s)");
        }
        return TunnelEnds.open(connection, party, port, peer(party).dialect().usesExtensions());
    }

    private void listen() throws IOException {
        List<byte[]> clients = links.values().stream()
                .filter(l -> l.pid() > config.pid()).map(l -> peer(l.pid()).certificate()).toList();
        listener = config.engine().listen(config.udpBind(), config.identity(), PinnedTrust.ofEncoded(clients),
                config.settings(), connection -> workers.execute(() -> admit(connection)));
        LOG.info("QUIC listening addr=" + listener.localAddress() + " engine=" + config.engine().name());
    }

    /**
     * Server side: a Go client is known by the TLS certificate it presented (the engine checked it
     * against the pins); any other client must prove who it is ({@link ClientAdmission}).
     */
    private void admit(QuicConnection connection) {
        StaticPeer goClient = goClientPresenting(connection.peerCertificate());
        if (goClient != null) {
            links.get(goClient.pid()).attach(connection, false);
            return;
        }
        ClientAdmission.admit(connection, this::clientCertificate, timers, workers,
                (pid, proven) -> links.get(pid).attach(proven, true));
    }

    private StaticPeer peer(int pid) {
        return config.peers().get(pid);
    }

    /** The Go peer whose pinned certificate {@code presented} is, if any. */
    private StaticPeer goClientPresenting(X509Certificate presented) {
        if (presented == null) {
            return null; // kwik: no client certificates at all
        }
        byte[] encoded;
        try {
            encoded = presented.getEncoded(); // Netty's lazy certificate: the received bytes, unparsed
        } catch (CertificateEncodingException e) {
            return null;
        }
        for (PeerLink link : links.values()) {
            StaticPeer peer = peer(link.pid());
            if (link.pid() > config.pid() && peer.dialect() == PeerDialect.GO && Arrays.equals(peer.certificate(), encoded)) {
                return peer;
            }
        }
        return null;
    }

    private X509Certificate clientCertificate(int pid) {
        StaticPeer peer = peer(pid);
        if (peer == null || pid <= config.pid() || !peer.dialect().usesExtensions()) {
            return null;
        }
        try {
            return peer.parsedCertificate();
        } catch (CertificateException e) {
            LOG.warning("certificate pinned for party " + pid + " cannot be parsed: " + e.getMessage());
            return null;
        }
    }

    /** Client side toward one lower-numbered peer: dial, prove, wait for the end, dial again. */
    private void dialLoop(PeerLink link) {
        Duration backoff = REDIAL_MIN;
        StaticPeer peer = config.peers().get(link.pid());
        while (!closed.get()) {
            QuicConnection connection = null;
            try {
                connection = config.engine().connect(new InetSocketAddress(config.udpBind().getAddress(), 0),
                        peer.endpoint(), config.identity(), PinnedTrust.ofEncoded(List.of(peer.certificate())),
                        config.settings(), DIAL_TIMEOUT);
                boolean extensions = peer.dialect().usesExtensions();
                if (extensions) {
                    ClientProof.prove(connection.openStream(), config.pid(), config.identity());
                }
                link.attach(connection, extensions);
                backoff = REDIAL_MIN;
                connection.closeFuture().join();
            } catch (IOException | RuntimeException e) {
                if (connection != null) {
                    connection.close();
                }
                if (closed.get()) {
                    return;
                }
                Duration wait = backoff;
                LOG.log(Level.FINE, () -> "dial to party " + peer.pid() + " at " + peer.endpoint() + " failed: " + e
                        + "; retrying in " + wait.toMillis() + " ms");
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(REDIAL_MAX) > 0 ? REDIAL_MAX : backoff.multipliedBy(2);
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed.set(true);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        links.values().forEach(PeerLink::close);
        if (listener != null) {
            listener.close();
        }
        workers.shutdownNow();
        timers.shutdownNow();
    }
}
