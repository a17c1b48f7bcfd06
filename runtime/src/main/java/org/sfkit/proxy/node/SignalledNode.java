package org.sfkit.proxy.node;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sfkit.proxy.config.VirtualAddressPlan;
import org.sfkit.proxy.ice.IceSession;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.signal.MessageType;
import org.sfkit.proxy.signal.SignalingClient;
import org.sfkit.proxy.signal.SignalingRejectedException;
import org.sfkit.proxy.tunnel.TunnelEnds;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * One party's proxy in signalling mode: the {@code /api/ice} client, one {@link SignalledPeer} per
 * party we know (the TOML or {@code --parties}) or that signals us first, and the
 * {@link org.sfkit.proxy.tunnel.TunnelDialer} ingresses use.
 */
public final class SignalledNode implements PartyNode {
    private static final Logger LOG = Logger.getLogger(SignalledNode.class.getName());
    /**
     * The website's (and our server's) answer to a message for a party that is not connected
     * (spec section 3); the message is dropped, so the sender must resend it.
     */
    private static final Pattern UNEXPECTED_TARGET = Pattern.compile("Unexpected target id (\\d{1,9})");
    /**
     * How long {@link #open} waits for a link: a first ICE attempt (gathering with STUN
     * retransmissions, checks, certificates, QUIC) or a restart after a dead path both fit.
     */
    static final Duration LINK_WAIT = Duration.ofSeconds(20);
    /**
     * QUIC keep-alive in signalling mode: a PING every 3 s keeps NAT mappings of the peer path
     * fresh (far below the 30 s some routers allow UDP) and gives loss detection something to
     * notice a dead path with.
     */
    public static final Duration KEEP_ALIVE = Duration.ofSeconds(3);
    /**
     * Idle timeout: five missed keep-alives. A dead path (NAT flushed, peer gone) closes the
     * connection within this and a new ICE attempt starts, well inside the 30 s we promise (the
     * Go peer's 24 h would keep a dead link for a day; the negotiated value is the smaller one,
     * so the Go peer follows ours, and our PINGs keep it from idling). 10 s dropped live links on
     * a 2-core machine under a load of 15.
     */
    public static final Duration MAX_IDLE = Duration.ofSeconds(15);

    private final SignalledConfig config;
    private final Map<Integer, SignalledPeer> peers = new TreeMap<>(); // guarded by itself
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final SignalingClient signalling;
    private final CompletableFuture<Void> failure = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SignalledNode(SignalledConfig config) {
        this.config = config;
        AtomicInteger ids = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "sfkit-node-" + config.pid() + "-" + ids.incrementAndGet()));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sfkit-node-" + config.pid() + "-timer"));
        this.signalling = new SignalingClient(config.api(), config.studyID(), config.pid(), config.authorization(),
                new SignalingClient.Listener() {
                    // Both hand off at once: starting ICE can take seconds (ice4j's first use), and
                    // these may run on the HTTP client's own thread, which also reads the socket;
                    // blocking it stalled signalling until the server dropped us.
                    @Override
                    public void onOpen(boolean reconnected) {
                        LOG.info("signalling open" + (reconnected ? " again" : "") + " study=" + config.studyID());
                        allPeers().forEach(p -> workers.execute(() -> p.signallingOpen(reconnected)));
                    }

                    /** The target is not connected to the server (yet, or any more): resend later. */
                    @Override
                    public void onServerError(String text) {
                        Matcher m = UNEXPECTED_TARGET.matcher(text);
                        if (m.matches()) {
                            peer(Integer.parseInt(m.group(1))).ifPresent(p -> workers.execute(p::peerAbsent));
                        }
                    }

                    @Override
                    public void onUnknownPeer(int pid) {
                        peer(pid).ifPresent(p -> workers.execute(() -> p.signallingOpen(false)));
                    }

                    @Override
                    public void onFatal(SignalingRejectedException e) {
                        failure.completeExceptionally(e);
                    }
                });
    }

    /** The QUIC settings of signalling mode: the spec's, with dead-path detection in seconds. */
    public static QuicSettings settings() {
        return QuicSettings.builder().keepAlive(KEEP_ALIVE).maxIdle(MAX_IDLE).build();
    }

    /** Starts signalling (the server answers once every party is connected) and the known peers. */
    public static SignalledNode start(SignalledConfig config) {
        SignalledNode node = new SignalledNode(config);
        node.workers.execute(IceSession::warmUp); // while signalling waits for every party
        config.knownPeers().forEach(node::peer);
        node.signalling.connect().whenComplete((ok, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                LOG.log(Level.SEVERE, "signalling failed: " + cause.getMessage());
                node.failure.completeExceptionally(cause);
            }
        });
        return node;
    }

    /**
     * Completes exceptionally when signalling is refused for good (bad key: 401, unknown study:
     * 400) or cannot start; the CLI then exits with 1. Never completes normally.
     */
    public CompletableFuture<Void> failure() {
        return failure;
    }

    SignalledConfig config() {
        return config;
    }

    ExecutorService workers() {
        return workers;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    void send(MessageType type, int target, String data) {
        signalling.send(type, target, data).exceptionally(e -> {
            // Down now: SignalledPeer resends everything on the reconnect.
            LOG.fine(() -> "signalling " + type.wire() + " to party " + target + " not sent: " + e.getMessage());
            return null;
        });
    }

    /** The peer's driver, made (and registered with signalling) on first use. */
    private Optional<SignalledPeer> peer(int pid) {
        if (pid == config.pid() || pid < 0 || pid > VirtualAddressPlan.MAX_PARTY || closed.get()) {
            return Optional.empty();
        }
        synchronized (peers) {
            SignalledPeer existing = peers.get(pid);
            if (existing != null) {
                return Optional.of(existing);
            }
            SignalledPeer created = new SignalledPeer(this, pid);
            peers.put(pid, created);
            signalling.register(pid, created::received);
            return Optional.of(created);
        }
    }

    private List<SignalledPeer> allPeers() {
        synchronized (peers) {
            return List.copyOf(peers.values());
        }
    }

    @Override
    public int pid() {
        return config.pid();
    }

    @Override
    public QuicEngine engine() {
        return config.engine();
    }

    @Override
    public boolean awaitPeers(Duration timeout) throws InterruptedException {
        return PeerLink.awaitAll(allPeers().stream().map(SignalledPeer::link).toList(), timeout);
    }

    @Override
    public List<Integer> connectedPeers() {
        return allPeers().stream().filter(p -> p.link().isConnected()).map(SignalledPeer::pid).toList();
    }

    /** The link to each connected peer: path, setup time. */
    public List<PeerStatus> peerStatus() {
        return allPeers().stream().flatMap(p -> p.status().stream()).toList();
    }

    @Override
    public QuicStream open(int party, int port) throws TunnelException, IOException {
        if (closed.get()) {
            throw new TunnelException(TunnelException.Reason.PEER_UNREACHABLE, "the proxy is shutting down");
        }
        boolean fresh;
        synchronized (peers) {
            fresh = !peers.containsKey(party);
        }
        SignalledPeer peer = peer(party).orElseThrow(() -> new TunnelException(TunnelException.Reason.UNKNOWN_PARTY,
                party == config.pid() ? "party " + party + " is this proxy itself" : "no party " + party));
        if (fresh && signalling.isOpen()) {
            peer.signallingOpen(false); // nobody named it: contact it now
        }
        QuicConnection connection;
        try {
            connection = peer.link().awaitConnection(LINK_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(TunnelException.Reason.PEER_UNREACHABLE, "interrupted while waiting for party " + party);
        }
        if (connection == null) {
            throw new TunnelException(TunnelException.Reason.PEER_UNREACHABLE,
                    "no connection to party " + party + " (waited " + LINK_WAIT.toSeconds() + " s)");
        }
        return TunnelEnds.open(connection, party, port, peer.peerSpeaksSfkit());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        signalling.close();
        allPeers().forEach(SignalledPeer::close);
        workers.shutdownNow();
        timers.shutdownNow();
    }
}
