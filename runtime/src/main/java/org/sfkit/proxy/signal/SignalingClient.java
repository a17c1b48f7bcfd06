package org.sfkit.proxy.signal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.auth.AuthorizationHeader;

/**
 * Client of the signalling WebSocket {@code /api/ice} (wire protocol section 3).
 *
 * <p>The handshake carries {@code Origin} (scheme and authority of the API URL, lower case),
 * {@code Authorization} and {@code X-MPC-Study-ID}. The server answers 101 only once every party
 * of the study is connected, so {@link #connect()} waits without a timeout. A 4xx answer is fatal
 * ({@link SignalingRejectedException}). Once open, a dropped socket is reopened with exponential
 * backoff (the Go proxy never reconnects) and {@link Listener#onOpen} tells the owners to resend
 * what their peers still need; messages sent while disconnected fail and are not queued.
 *
 * <p>Received messages are dispatched by {@code sourcePID}, each PID on its own serial queue off
 * the receive thread: a slow or absent handler never blocks the socket or other peers (the Go
 * proxy blocks its whole receive loop on a message from a PID it has no channel for). Messages
 * from a PID nobody has {@link #register registered} yet are held (bounded) and
 * {@link Listener#onUnknownPeer} is called once, so the owner can create a link on demand.
 */
public final class SignalingClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SignalingClient.class.getName());

    static final String STUDY_ID_HEADER = "X-MPC-Study-ID";
    /** TCP (and TLS) connect only; the 101 itself may take as long as the slowest party. */
    private static final Duration TCP_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    /** A restarting server needs at least this long; retrying sooner only adds load. */
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
    /** Caps the gap after a long outage so we are back within ~30 s of the server. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** +-20 %, so parties dropped together by a server restart do not retry in lock-step. */
    private static final double BACKOFF_JITTER = 0.2;
    /**
     * A socket that lived this long resets the backoff. One closed sooner does not: a server
     * that accepts and closes at once ("party already connected" while it has not yet noticed
     * our previous socket died) must not make us reconnect in a tight loop.
     */
    private static final Duration STABLE_CONNECTION = Duration.ofSeconds(10);

    /** What the owner of the client hears about. Callbacks run off the receive thread. */
    public interface Listener {
        /**
         * The socket is open (every party connected). {@code reconnected} is true after a drop:
         * resend whatever peers may have missed (credentials, pending certificates).
         */
        default void onOpen(boolean reconnected) {
        }

        /** The server sent an {@code error} message (already logged). */
        default void onServerError(String text) {
        }

        /** The first message from a PID with no registered handler arrived (it is held). */
        default void onUnknownPeer(int pid) {
        }

        /** A reconnect was refused for good; the client has stopped. */
        default void onFatal(SignalingRejectedException e) {
        }
    }

    private final URI api;
    private final String studyID;
    private final int localPID;
    private final AuthorizationHeader authorization;
    private final Listener listener;
    private final String origin;
    private final HttpClient http;
    private final ExecutorService dispatch;
    private final ScheduledExecutorService reconnects;
    private final Map<Integer, PeerInbox> inboxes = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    // Guarded by lock.
    private WebSocket socket;
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private long generation;
    private boolean closed;
    private Duration backoff = INITIAL_BACKOFF;
    private long openedAtNanos;

    public SignalingClient(URI api, String studyID, int localPID,
            AuthorizationHeader authorization, Listener listener) {
        this.api = Objects.requireNonNull(api, "api");
        this.studyID = Objects.requireNonNull(studyID, "studyID");
        this.localPID = localPID;
        this.authorization = Objects.requireNonNull(authorization, "authorization");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.origin = originOf(api);
        this.dispatch = Executors.newCachedThreadPool(daemon("sfkit-signal-dispatch"));
        this.reconnects = Executors.newSingleThreadScheduledExecutor(daemon("sfkit-signal-reconnect"));
        this.http = HttpClient.newBuilder().connectTimeout(TCP_CONNECT_TIMEOUT).build();
    }

    /**
     * The {@code Origin} the website expects: {@code ws://host[:port]} or {@code wss://...},
     * lower case, taken from the API URL as Go's {@code url.URL{Scheme, Host}} does.
     */
    public static String originOf(URI api) {
        String scheme = api.getScheme() == null ? "" : api.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("signalling URL must be ws:// or wss://: " + api);
        }
        if (api.getHost() == null) {
            throw new IllegalArgumentException("signalling URL has no host: " + api);
        }
        String port = api.getPort() == -1 ? "" : ":" + api.getPort();
        return scheme + "://" + api.getHost().toLowerCase(Locale.ROOT) + port;
    }

    /**
     * Opens the socket the first time. Completes once the server accepted, which is when every
     * party of the study has connected (no timeout); fails with
     * {@link SignalingRejectedException} on a 4xx answer, or another {@link IOException}.
     */
    public CompletableFuture<Void> connect() {
        return open().thenAccept(ws -> listener.onOpen(false));
    }

    /** Whether the socket is open now. */
    public boolean isOpen() {
        synchronized (lock) {
            return socket != null && !socket.isOutputClosed();
        }
    }

    /**
     * Handles messages from {@code peerPID} from now on, serially, starting with any held
     * backlog. Replaces a previous handler.
     */
    public void register(int peerPID, Consumer<SignalMessage> handler) {
        inbox(peerPID).attach(Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Sends one message to {@code targetPID}. Fails (with an {@link IOException}) when the
     * socket is down: the owner resends from {@link Listener#onOpen} after the reconnect.
     */
    public CompletableFuture<Void> send(MessageType type, int targetPID, String data) {
        String json = new SignalMessage(studyID, type, data, localPID, targetPID).toJson();
        synchronized (lock) {
            if (socket == null) {
                return CompletableFuture.failedFuture(
                        new IOException("signalling socket is not connected"));
            }
            WebSocket ws = socket;
            // java.net.http.WebSocket allows one outstanding send: chain them.
            CompletableFuture<Void> sent = sendTail.handle((r, e) -> null)
                    .thenCompose(x -> ws.sendText(json, true))
                    .thenApply(x -> null);
            sendTail = sent;
            return sent;
        }
    }

    @Override
    public void close() {
        WebSocket ws;
        synchronized (lock) {
            closed = true;
            generation++;
            ws = socket;
            socket = null;
        }
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null)
                    .thenRun(ws::abort);
        }
        reconnects.shutdownNow();
        dispatch.shutdown();
    }

    private CompletableFuture<WebSocket> open() {
        String authValue;
        try {
            authValue = authorization.value();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        long myGeneration;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IOException("signalling client closed"));
            }
            myGeneration = ++generation;
        }
        LOG.info(() -> "Waiting for all parties to connect to " + api + " study=" + studyID);
        return http.newWebSocketBuilder()
                .header("Origin", origin)
                .header("Authorization", authValue)
                .header(STUDY_ID_HEADER, studyID)
                // No connectTimeout() here: it would bound the wait for the delayed 101.
                .buildAsync(api, new SocketListener(myGeneration))
                .handle((ws, error) -> {
                    if (error != null) {
                        throw new CompletionException(describe(error));
                    }
                    synchronized (lock) {
                        if (closed || generation != myGeneration) {
                            ws.abort();
                            throw new CompletionException(
                                    new IOException("signalling client closed"));
                        }
                        socket = ws;
                        sendTail = CompletableFuture.completedFuture(null);
                        openedAtNanos = System.nanoTime();
                    }
                    LOG.info(() -> "Signalling connected to " + api + " study=" + studyID);
                    if (ws.isInputClosed()) {
                        // Closed before we stored it (e.g. "already connected" then close), so
                        // the listener's report was ignored: handle the loss now.
                        connectionLost(myGeneration, "closed as soon as it opened");
                    }
                    return ws;
                });
    }

    private IOException describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException handshake) {
            int status = handshake.getResponse().statusCode();
            return SignalingRejectedException.isFatal(status)
                    ? new SignalingRejectedException(api, studyID, status)
                    : new IOException("signalling handshake answered HTTP " + status, cause);
        }
        return cause instanceof IOException io ? io : new IOException(cause);
    }

    /** Called when the socket of {@code lostGeneration} closed or failed. */
    private void connectionLost(long lostGeneration, String why) {
        WebSocket lost;
        synchronized (lock) {
            if (closed || generation != lostGeneration || socket == null) {
                return;
            }
            lost = socket;
            socket = null;
            if (System.nanoTime() - openedAtNanos >= STABLE_CONNECTION.toNanos()) {
                backoff = INITIAL_BACKOFF;
            }
        }
        lost.abort();
        LOG.warning(() -> "Signalling connection lost (" + why + "); reconnecting");
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        Duration delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            delay = jittered(backoff);
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        }
        LOG.fine(() -> "Next signalling connect in " + delay.toMillis() + " ms");
        try {
            reconnects.schedule(this::reconnect, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void reconnect() {
        open().whenComplete((ws, error) -> {
            if (error == null) {
                dispatch(() -> listener.onOpen(true));
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof SignalingRejectedException rejected) {
                LOG.severe(rejected.getMessage());
                synchronized (lock) {
                    closed = true;
                }
                dispatch(() -> listener.onFatal(rejected));
            } else {
                LOG.log(Level.FINE, "Signalling reconnect failed", cause);
                scheduleReconnect();
            }
        });
    }

    private static Duration jittered(Duration base) {
        double factor = 1 + BACKOFF_JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofMillis(Math.round(base.toMillis() * factor));
    }

    private void received(String text) {
        SignalMessage message;
        try {
            message = SignalMessage.fromJson(text);
        } catch (MalformedSignalException e) {
            LOG.warning(() -> "Dropping malformed signalling message: " + e.getMessage());
            return;
        }
        if (message.type() == MessageType.ERROR) {
            LOG.severe(() -> "Signalling server error: " + message.data());
            dispatch(() -> listener.onServerError(message.data()));
            return;
        }
        LOG.fine(() -> "Received " + message.type().wire() + " from party " + message.sourcePID());
        inbox(message.sourcePID()).offer(message);
    }

    private PeerInbox inbox(int pid) {
        return inboxes.computeIfAbsent(pid, PeerInbox::new);
    }

    private void dispatch(Runnable task) {
        try {
            dispatch.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nobody is listening any more
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Messages from one PID: delivered in order on the dispatch pool, one at a time, or held
     * while no handler is registered.
     */
    private final class PeerInbox {
        /**
         * A peer sends one credential, a few dozen trickled candidates and a certificate per ICE
         * attempt; more than this unread means nobody will read them.
         */
        private static final int MAX_HELD = 1024;

        private final int pid;
        private final ArrayDeque<SignalMessage> queue = new ArrayDeque<>();
        private Consumer<SignalMessage> handler;
        private boolean draining;
        private boolean announced;
        private boolean overflowWarned;

        PeerInbox(int pid) {
            this.pid = pid;
        }

        void offer(SignalMessage message) {
            boolean announce = false;
            synchronized (this) {
                if (queue.size() == MAX_HELD) {
                    queue.removeFirst();
                    if (!overflowWarned) {
                        overflowWarned = true;
                        LOG.warning(() -> "Dropping old signalling messages from party " + pid
                                + ": no handler reads them");
                    }
                }
                queue.addLast(message);
                if (handler == null && !announced) {
                    announced = true;
                    announce = true;
                }
            }
            if (announce) {
                dispatch(() -> listener.onUnknownPeer(pid));
            }
            drainLater();
        }

        void attach(Consumer<SignalMessage> newHandler) {
            synchronized (this) {
                handler = newHandler;
            }
            drainLater();
        }

        private void drainLater() {
            synchronized (this) {
                if (draining || handler == null || queue.isEmpty()) {
                    return;
                }
                draining = true;
            }
            dispatch(this::drain);
        }

        private void drain() {
            while (true) {
                SignalMessage next;
                Consumer<SignalMessage> target;
                synchronized (this) {
                    if (handler == null || queue.isEmpty()) {
                        draining = false;
                        return;
                    }
                    next = queue.removeFirst();
                    target = handler;
                }
                try {
                    target.accept(next);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Handler for party " + pid + " failed", e);
                }
            }
        }
    }

    /** Reassembles fragmented text frames and reports the end of the socket. */
    private final class SocketListener implements WebSocket.Listener {
        private final long socketGeneration;
        private final StringBuilder partial = new StringBuilder();

        SocketListener(long socketGeneration) {
            this.socketGeneration = socketGeneration;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            LOG.fine("Ignoring a binary signalling frame");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            connectionLost(socketGeneration, "closed by server, code " + statusCode
                    + (reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            connectionLost(socketGeneration, String.valueOf(error));
        }
    }
}
