package org.sfkit.proxy.signal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.HandshakeImpl1Server;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.WebSocketServer;
import org.sfkit.proxy.signal.MalformedSignalException;
import org.sfkit.proxy.signal.SignalMessage;

/**
 * Our self-hosted {@code /api/ice} signalling server, with the website's semantics (wire
 * protocol section 3), so parties can run without the sfkit website:
 * <ul>
 * <li>a missing or foreign {@code Origin} (not {@code ws://} or {@code wss://} plus the
 * {@code Host}) and an unknown {@code X-MPC-Study-ID} are refused with 400; an unknown key with
 * 401; a key of another study is accepted, told "not in study" by an {@code error} message and
 * closed; so is a second connection of a party that is already connected;
 * <li>the key's index in the study's list is the party's PID;
 * <li>the 101 is delayed until every party of the study is connected (the barrier); a party that
 * reconnects while the others are still connected passes at once;
 * <li>{@code sourcePID} and {@code studyID} are overwritten from authentication and the message
 * is forwarded to {@code targetPID}; a target that is not connected gets the sender an
 * {@code error} message (PIDs -1), and the connection stays open;
 * <li>a malformed message (an extra key, an unknown type) closes the connection, as the website
 * does.
 * </ul>
 *
 * <p><b>Delaying the 101 with Java-WebSocket.</b> The library writes the handshake response as
 * soon as {@code onWebsocketHandshakeReceivedAsServer} returns, and has no asynchronous variant.
 * So that method blocks until the barrier opens. It runs on the connection's decoder thread, and
 * the library shares a few decoders among all connections (a blocked one would stall every
 * connection assigned to it, including the party we wait for) and sizes its buffer pool by their
 * number (the selector thread blocks, deaf to every socket, when waiting handshakes hold all
 * buffers). We therefore give every live connection a decoder thread of its own, added to the
 * library's {@code decoders} list in {@link Endpoint#allocateBuffers} (so the pool grows with
 * them and shutdown interrupts them), with two buffers each, and reuse a decoder once its
 * connection is gone rather than interrupting it. A party that disconnects while waiting is
 * noticed by the selector thread, which removes it from the barrier and wakes its decoder.
 */
public final class SignalingServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SignalingServer.class.getName());
    private static final String STUDY_ID_HEADER = "X-MPC-Study-ID";
    /** Long enough to bind a local port; a bind that takes longer has failed. */
    private static final long START_TIMEOUT_SECONDS = 10;
    /** Gives clients a moment to receive their close frame before sockets are cut. */
    private static final int STOP_TIMEOUT_MILLIS = 1000;

    private final Map<String, Study> studies = new HashMap<>();
    private final Endpoint endpoint;

    private SignalingServer(InetSocketAddress listen, Map<String, List<String>> studyKeys) {
        studyKeys.forEach((id, keys) -> studies.put(id, new Study(id, keys)));
        endpoint = new Endpoint(listen);
    }

    /**
     * Starts a server on {@code listen} (port 0 picks one) for the given studies: study ID to
     * the auth keys of parties 0, 1, ...
     */
    public static SignalingServer start(InetSocketAddress listen,
            Map<String, List<String>> studies) throws IOException {
        SignalingServer server = new SignalingServer(listen, Map.copyOf(studies));
        server.endpoint.startAndWait();
        return server;
    }

    /** The bound address (with the real port when started on port 0). */
    public InetSocketAddress address() {
        return new InetSocketAddress(endpoint.getAddress().getAddress(), endpoint.getPort());
    }

    /** How many parties of the study are connected or waiting at the barrier now. */
    int connectedParties(String studyID) {
        return studies.get(studyID).connectedParties();
    }

    @Override
    public void close() {
        studies.values().forEach(Study::shutdown);
        try {
            endpoint.stop(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RejectingDraft.Rejection reject(int status, String reason, String why) {
        LOG.info(() -> "Refusing signalling handshake: " + status + " " + why);
        return new RejectingDraft.Rejection(status, reason, why + "\n");
    }

    /** {@code Origin} must be {@code ws://<Host>} or {@code wss://<Host>} (case-insensitive). */
    private static boolean originMatches(String origin, String host) {
        return !origin.isEmpty() && !host.isEmpty()
                && (origin.equalsIgnoreCase("ws://" + host) || origin.equalsIgnoreCase("wss://" + host));
    }

    private boolean isKeyOfAnyStudy(String key) {
        return studies.values().stream().anyMatch(s -> s.keys.contains(key));
    }

    /**
     * What the server knows about one connection, attached to it. {@code refusal} is set for a
     * connection that is accepted only to be told why it cannot stay.
     */
    private record Session(Study study, int pid, String refusal) {
    }

    /**
     * One study: its keys and the parties connected (or waiting at the barrier) now. A party's
     * socket opens on its own decoder thread just after the barrier, possibly after a peer
     * already sent it something: such messages wait in {@code undelivered} until it is open.
     */
    private static final class Study {
        final String id;
        final List<String> keys;
        private final Map<Integer, WebSocket> parties = new HashMap<>();
        private final Map<Integer, List<String>> undelivered = new HashMap<>();
        private boolean shutdown;

        Study(String id, List<String> keys) {
            this.id = id;
            this.keys = List.copyOf(keys);
        }

        /** Registers the party; false when that PID is already connected. */
        synchronized boolean join(int pid, WebSocket conn) {
            if (parties.containsKey(pid)) {
                return false;
            }
            parties.put(pid, conn);
            undelivered.put(pid, new ArrayList<>());
            if (parties.size() == keys.size()) {
                LOG.info(() -> "All " + keys.size() + " parties have connected to study " + id);
            }
            notifyAll();
            return true;
        }

        /**
         * Blocks until every party is connected; false if this connection left (or the server
         * closed) first.
         */
        synchronized boolean awaitEveryone(int pid, WebSocket conn) throws InterruptedException {
            while (!shutdown && parties.get(pid) == conn && parties.size() < keys.size()) {
                wait();
            }
            return !shutdown && parties.get(pid) == conn;
        }

        /** The party's socket is open: deliver what arrived for it meanwhile, then directly. */
        synchronized void opened(int pid, WebSocket conn) {
            List<String> waiting = parties.get(pid) == conn ? undelivered.remove(pid) : null;
            if (waiting != null) {
                waiting.forEach(conn::send);
            }
        }

        synchronized void leave(int pid, WebSocket conn) {
            if (parties.remove(pid, conn)) {
                undelivered.remove(pid);
                LOG.info(() -> "Party " + pid + " disconnected from study " + id);
                notifyAll();
            }
        }

        synchronized int connectedParties() {
            return parties.size();
        }

        /** Sends (or holds until open) a frame to the party; false if it is not connected. */
        synchronized boolean deliver(int pid, String json) {
            WebSocket conn = parties.get(pid);
            if (conn == null) {
                return false;
            }
            List<String> waiting = undelivered.get(pid);
            if (waiting != null) {
                waiting.add(json);
                return true;
            }
            try {
                conn.send(json);
                return true;
            } catch (WebsocketNotConnectedException e) {
                return false; // closing: removeConnection will run shortly
            }
        }

        synchronized void shutdown() {
            shutdown = true;
            notifyAll();
        }
    }

    /** The Java-WebSocket server with one decoder thread per connection (see class comment). */
    private final class Endpoint extends WebSocketServer {
        private final CountDownLatch started = new CountDownLatch(1);
        /** Decoders whose connection has gone; the next connection reuses one. */
        private final Deque<WebSocketWorker> idleWorkers = new ArrayDeque<>();
        private volatile Exception startFailure;

        Endpoint(InetSocketAddress listen) {
            // One shared decoder is the minimum the library accepts; connections get their own.
            super(listen, 1, List.of(new RejectingDraft()));
            decoders = new CopyOnWriteArrayList<>(decoders);
            setReuseAddr(true);
            setDaemon(true);
        }

        void startAndWait() throws IOException {
            start();
            try {
                if (!started.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("signalling server did not start on " + getAddress());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the signalling server", e);
            }
            if (startFailure != null) {
                throw new IOException("cannot start the signalling server on " + getAddress()
                        + ": " + startFailure.getMessage(), startFailure);
            }
            LOG.info(() -> "Signalling server listening on " + address());
        }

        @Override
        protected void allocateBuffers(WebSocket conn) throws InterruptedException {
            WebSocketWorker worker;
            synchronized (idleWorkers) {
                worker = idleWorkers.poll();
            }
            if (worker == null) {
                worker = new WebSocketWorker();
                worker.setDaemon(true);
                worker.setName("sfkit-signal-decoder-" + worker.getId());
                decoders.add(worker);
                worker.start();
            }
            ((WebSocketImpl) conn).setWorkerThread(worker);
            // Two buffers per decoder: one may be held by a handshake waiting at the barrier,
            // the other lets the selector thread keep reading (and notice a party leaving).
            super.allocateBuffers(conn);
            super.allocateBuffers(conn);
        }

        @Override
        protected boolean removeConnection(WebSocket conn) {
            boolean removed = super.removeConnection(conn);
            if (conn.getAttachment() instanceof Session s && s.refusal() == null) {
                s.study().leave(s.pid(), conn);
            }
            // Reused, never interrupted: an interrupt in mid-decode loses the library's buffer.
            WebSocketWorker worker = ((WebSocketImpl) conn).getWorkerThread();
            if (worker != null) {
                synchronized (idleWorkers) {
                    if (!idleWorkers.contains(worker)) {
                        idleWorkers.push(worker);
                    }
                }
            }
            return removed;
        }

        @Override
        public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn,
                Draft draft, ClientHandshake request) {
            if (!originMatches(request.getFieldValue("Origin"), request.getFieldValue("Host"))) {
                return reject(400, "Bad Request", "missing or foreign Origin header");
            }
            String studyID = request.getFieldValue(STUDY_ID_HEADER);
            Study study = studies.get(studyID);
            if (study == null) {
                return reject(400, "Bad Request", "unknown study '" + studyID + "'");
            }
            String key = request.getFieldValue("Authorization");
            int pid = study.keys.indexOf(key);
            if (pid < 0) {
                if (!isKeyOfAnyStudy(key)) {
                    return reject(401, "Unauthorized", "auth key not recognised");
                }
                conn.setAttachment(new Session(study, -1,
                        "User is not in study " + study.id));
                return new HandshakeImpl1Server();
            }
            if (!study.join(pid, conn)) {
                conn.setAttachment(new Session(study, pid,
                        "Party " + pid + " is already connected to study " + study.id));
                return new HandshakeImpl1Server();
            }
            conn.setAttachment(new Session(study, pid, null));
            LOG.info(() -> "Party " + pid + " of study " + study.id + " waits for the others");
            try {
                if (study.awaitEveryone(pid, conn)) {
                    return new HandshakeImpl1Server();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            study.leave(pid, conn);
            return reject(503, "Service Unavailable", "signalling server closing");
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            if (!(conn.getAttachment() instanceof Session session)) {
                // A Rejection went out instead of the 101 (see RejectingDraft).
                conn.close(CloseFrame.POLICY_VALIDATION, "rejected");
                return;
            }
            if (session.refusal() != null) {
                LOG.info(() -> "Refusing a connection to study " + session.study().id + ": "
                        + session.refusal());
                conn.send(SignalMessage.serverError(session.study().id, session.refusal())
                        .toJson());
                conn.close(CloseFrame.POLICY_VALIDATION, session.refusal());
                return;
            }
            session.study().opened(session.pid(), conn);
            LOG.info(() -> "Party " + session.pid() + " connected to study " + session.study().id);
        }

        @Override
        public void onMessage(WebSocket conn, String text) {
            if (!(conn.getAttachment() instanceof Session session) || session.refusal() != null) {
                return;
            }
            SignalMessage message;
            try {
                message = SignalMessage.fromJson(text);
            } catch (MalformedSignalException e) {
                LOG.info(() -> "Closing party " + session.pid() + ": " + e.getMessage());
                conn.close(CloseFrame.POLICY_VALIDATION, "malformed signalling message");
                return;
            }
            Study study = session.study();
            SignalMessage authentic = message.authenticated(study.id, session.pid());
            int target = message.targetPID();
            if (target != session.pid() && study.deliver(target, authentic.toJson())) {
                return;
            }
            conn.send(SignalMessage.serverError(study.id, "Unexpected target id " + target)
                    .toJson());
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            // Bookkeeping happens in removeConnection, which also sees never-opened sockets.
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) {
                startFailure = ex;
                started.countDown();
            } else {
                LOG.log(Level.FINE, "Signalling connection error", ex);
            }
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }
}
