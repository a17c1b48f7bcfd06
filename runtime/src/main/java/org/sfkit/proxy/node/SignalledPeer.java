package org.sfkit.proxy.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.ice.IcePath;
import org.sfkit.proxy.ice.IceSession;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.signal.CandidateLine;
import org.sfkit.proxy.signal.CertificatePayload;
import org.sfkit.proxy.signal.IceCredential;
import org.sfkit.proxy.signal.MessageType;
import org.sfkit.proxy.signal.SignalMessage;
import org.sfkit.proxy.tls.Pem;
import org.sfkit.proxy.tls.SelfSignedCertificates;
import org.sfkit.proxy.tunnel.ClientProof;

/**
 * Our side of one signalled peer: runs {@link Attempt}s (ICE, certificate exchange, QUIC; spec
 * sections 3, 5, 6) until one gives a connection, hands it to the peer's {@link PeerLink}, and
 * starts a new attempt (an ICE restart: new socket, credential and candidates) whenever the
 * connection or the attempt dies, or the peer signals a new credential (it restarted).
 */
final class SignalledPeer {
    private static final Logger LOG = Logger.getLogger(SignalledPeer.class.getName());
    /**
     * An attempt that has no connection by then starts over with a new credential (which also
     * makes a peer that restarted meanwhile answer). ICE and QUIC take 1-3 s here, but over 20 s
     * on a 2-core machine under a load of 15, where a shorter limit restarted attempts that were
     * about to succeed; 30 s is also the spec's handshake timeout (section 6).
     */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    /** First pause before a new attempt: long enough not to spin, short next to the 30 s promise. */
    static final Duration RETRY_MIN = Duration.ofMillis(500);
    /** Cap of the doubling pause, so a peer back after an outage is found within seconds. */
    static final Duration RETRY_MAX = Duration.ofSeconds(5);
    /**
     * First pause before resending to a peer the server said is not connected: a restarting
     * proxy is back within seconds, and each resend bounces again until then.
     */
    static final Duration ABSENT_RESEND_MIN = Duration.ofSeconds(1);
    /**
     * Cap of the doubling pause: a few messages per peer every 5 s while it is away (no storm),
     * and a peer back after any outage gets our credential within 5 s, well inside the 30 s
     * promise (it also gets it at once when its own credential arrives).
     */
    static final Duration ABSENT_RESEND_MAX = Duration.ofSeconds(5);

    private final SignalledNode node;
    private final int peerPid;
    private final PeerLink link;
    private Attempt attempt; // guarded by this
    private Duration retryPause = RETRY_MIN; // guarded by this
    private ScheduledFuture<?> retry; // guarded by this
    private Duration absentPause = ABSENT_RESEND_MIN; // guarded by this
    private ScheduledFuture<?> absentResend; // guarded by this; one pending resend however many messages bounced
    private PeerStatus status; // guarded by this
    private boolean peerSpeaksSfkit; // guarded by this; whether the last certificate announced our extension
    private boolean closed; // guarded by this

    SignalledPeer(SignalledNode node, int peerPid) {
        this.node = node;
        this.peerPid = peerPid;
        this.link = new PeerLink(peerPid, node.workers());
    }

    int pid() {
        return peerPid;
    }

    PeerLink link() {
        return link;
    }

    synchronized boolean peerSpeaksSfkit() {
        return peerSpeaksSfkit;
    }

    synchronized Optional<PeerStatus> status() {
        return link.isConnected() ? Optional.ofNullable(status) : Optional.empty();
    }

    /** Signalling is open: start, or (after a reconnect) resend what the peer may have missed. */
    synchronized void signallingOpen(boolean reconnected) {
        if (closed) {
            return;
        }
        if (attempt == null) {
            startAttempt();
        } else if (reconnected) {
            attempt.resend();
        }
    }

    /**
     * The server dropped a message of ours because the peer is not connected to it (it is
     * restarting): the current attempt's messages are resent after a doubling pause until the
     * peer is back (its credential arrives), so it never waits for credentials that bounced.
     */
    synchronized void peerAbsent() {
        if (closed || absentResend != null) {
            return;
        }
        Duration pause = absentPause;
        absentPause = absentPause.multipliedBy(2).compareTo(ABSENT_RESEND_MAX) > 0
                ? ABSENT_RESEND_MAX : absentPause.multipliedBy(2);
        absentResend = node.timers().schedule(() -> node.workers().execute(this::resendToAbsentPeer),
                pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void resendToAbsentPeer() {
        absentResend = null;
        if (!closed && attempt != null && attempt.ice != null) {
            attempt.resend();
        }
    }

    /** One message from the peer, in order (the signalling client serialises per peer). */
    void received(SignalMessage message) {
        try {
            switch (message.type()) {
                case CREDENTIAL -> credential(IceCredential.fromJson(message.data()));
                case CANDIDATE -> candidate(CandidateLine.parse(message.data()));
                case CERTIFICATE -> certificate(CertificatePayload.fromJson(message.data()));
                default -> LOG.fine(() -> "ignoring " + message.type() + " from party " + peerPid);
            }
        } catch (IllegalArgumentException e) { // MalformedSignalException included
            LOG.warning("bad " + message.type() + " message from party " + peerPid + ": " + e.getMessage());
        }
    }

    /** A candidate or certificate before the peer's credential belongs to one we no longer use. */
    private synchronized void candidate(CandidateLine line) {
        if (!closed && attempt != null && attempt.hasPeerCredential()) {
            attempt.ice.remoteCandidate(line);
        }
    }

    private synchronized void certificate(CertificatePayload payload) {
        if (!closed && attempt != null && attempt.hasPeerCredential()) {
            attempt.certificate(payload);
        }
    }

    private void credential(IceCredential credential) {
        Attempt stale = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            Optional<IceCredential> current = attempt == null || attempt.ice == null
                    ? Optional.empty() : attempt.ice.remoteCredential();
            if (current.isPresent()) {
                if (current.get().equals(credential)) {
                    return; // resent after a signalling reconnect
                }
                LOG.info("party " + peerPid + " sent a new ICE credential (it restarted); starting over");
                stale = attempt;
            }
        }
        if (stale != null) {
            endAttempt(stale, "peer restarted ICE", false);
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            // The peer is back: what of ours bounced while it was away goes now, not after the pause.
            boolean missedOurs = absentResend != null;
            if (missedOurs) {
                absentResend.cancel(false);
                absentResend = null;
            }
            absentPause = ABSENT_RESEND_MIN;
            if (attempt == null) {
                startAttempt();
            } else if (missedOurs && attempt.ice != null) {
                attempt.resend();
            }
            if (attempt != null && attempt.ice != null) {
                attempt.ice.remoteCredential(credential);
            }
        }
    }

    private void startAttempt() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        Attempt next = new Attempt();
        attempt = next;
        try {
            next.start();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot start ICE with party " + peerPid + ": " + e.getMessage(), e);
            node.workers().execute(() -> endAttempt(next, "start failed", true));
        }
    }

    /**
     * Ends {@code ended} if it is still the current attempt; maybe schedules the next one. Engine
     * threads never call this directly (closing waits on them while holding our lock).
     */
    private void endAttempt(Attempt ended, String why, boolean scheduleNext) {
        synchronized (this) {
            if (attempt != ended || ended.over) {
                return;
            }
            ended.over = true;
            attempt = null;
            LOG.info("link to party " + peerPid + " ends: " + why);
            if (scheduleNext && !closed) {
                Duration pause = retryPause;
                retryPause = retryPause.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retryPause.multipliedBy(2);
                retry = node.timers().schedule(this::retryNow, pause.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        ended.close();
    }

    private synchronized void retryNow() {
        if (!closed && attempt == null) {
            startAttempt();
        }
    }

    void close() {
        Attempt last;
        synchronized (this) {
            closed = true;
            if (retry != null) {
                retry.cancel(false);
            }
            if (absentResend != null) {
                absentResend.cancel(false);
            }
            last = attempt;
        }
        if (last != null) {
            endAttempt(last, "closing", false);
        }
        link.close();
    }

    /**
     * One try: ICE session, our certificate for it, the peer's certificate, then QUIC over the
     * selected pair (higher PID = client, spec section 6). Its events arrive on ice4j, gathering
     * and QUIC threads; all state is guarded by the enclosing {@link SignalledPeer}.
     */
    private final class Attempt implements IceSession.Events {
        private final long startNanos = System.nanoTime();
        private final Set<String> sentCandidates = new HashSet<>();
        private CompletableFuture<TlsIdentity> early;
        private IceSession ice;
        private ScheduledFuture<?> deadline;
        private TlsIdentity identity;
        private IcePath path;
        private boolean certificateSent;
        /** DER, unparsed: the JDK refuses a Go peer's certificate (empty issuer, docs/findings.md). */
        private byte[] peerCertificate;
        private OptionalInt peerProof = OptionalInt.empty();
        private QuicListener listener;
        private boolean dialling;
        private QuicConnection connection;
        private boolean over;

        private boolean client() {
            return node.pid() > peerPid;
        }

        void start() throws IOException {
            // RSA key generation takes ~0.1-1 s: begin it now, for the host addresses, while
            // candidates are gathered; gathered() makes another only if the IP SANs must grow.
            List<InetAddress> hostIps = node.config().ice().hostAddresses();
            early = CompletableFuture.supplyAsync(() -> certificateFor(hostIps), node.workers());
            ice = IceSession.start(node.config().ice(), node.config().engine(), client(), this, node.workers());
            node.send(MessageType.CREDENTIAL, peerPid, ice.localCredential().toJson());
            ice.localCandidates().forEach(this::sendCandidate);
            deadline = node.timers().schedule(() -> endAttempt(this, "no connection within "
                    + ATTEMPT_TIMEOUT.toSeconds() + " s", true), ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean hasPeerCredential() {
            return ice != null && ice.remoteCredential().isPresent();
        }

        /** After a signalling reconnect: everything again; the peer ignores what it already has. */
        void resend() {
            node.send(MessageType.CREDENTIAL, peerPid, ice.localCredential().toJson());
            ice.localCandidates().forEach(line -> node.send(MessageType.CANDIDATE, peerPid, line.format()));
            if (certificateSent) {
                node.send(MessageType.CERTIFICATE, peerPid, payload().toJson());
            }
        }

        private void sendCandidate(CandidateLine line) {
            if (sentCandidates.add(line.format())) {
                node.send(MessageType.CANDIDATE, peerPid, line.format());
            }
        }

        @Override
        public void localCandidate(CandidateLine line) {
            synchronized (SignalledPeer.this) {
                if (ice != null && !over) { // before start() returned, start() sends them
                    sendCandidate(line);
                }
            }
        }

        @Override
        public void gathered() {
            IceSession session;
            synchronized (SignalledPeer.this) { // start() assigns ice under the lock; gathering may end first
                if (over) {
                    return;
                }
                session = ice;
            }
            // RSA key generation takes a while: outside the lock. The IP SANs hold every address
            // the peer may dial (the Go client checks them against the dialled IP; spec section 6).
            List<InetAddress> ips = new ArrayList<>();
            for (InetSocketAddress a : session.localAddresses()) {
                if (!ips.contains(a.getAddress())) {
                    ips.add(a.getAddress());
                }
            }
            TlsIdentity made;
            try {
                made = node.config().ice().hostAddresses().containsAll(ips) ? early.join() : certificateFor(ips);
            } catch (RuntimeException e) {
                endAttempt(this, "cannot make a certificate: " + e.getMessage(), true);
                return;
            }
            synchronized (SignalledPeer.this) {
                if (over) {
                    return;
                }
                identity = made;
                progress();
            }
        }

        @Override
        public void connected(IcePath selected) {
            synchronized (SignalledPeer.this) {
                if (over) {
                    return;
                }
                LOG.info("ICE connected with party " + peerPid + " path=" + selected.kind() + " remote=" + selected.remote());
                path = selected;
                progress();
            }
        }

        @Override
        public void failed(String why) {
            endAttempt(this, why, true);
        }

        void certificate(CertificatePayload payload) {
            byte[] certificate;
            try {
                certificate = Pem.certificateDer(payload.pem());
            } catch (java.security.cert.CertificateException e) {
                LOG.warning("party " + peerPid + " sent an unreadable certificate: " + e.getMessage());
                return;
            }
            if (peerCertificate != null) {
                return; // one per credential; a repeat is a resend
            }
            peerCertificate = certificate;
            peerProof = payload.clientProof();
            peerSpeaksSfkit = peerProof.isPresent();
            progress();
        }

        private static TlsIdentity certificateFor(List<InetAddress> ips) {
            try {
                return SelfSignedCertificates.generate(ips);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        private CertificatePayload payload() {
            List<String> addrs = ice.localAddresses().stream()
                    .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList();
            return new CertificatePayload(Pem.certificate(identity.certificate()), addrs, OptionalInt.of(ClientProof.VERSION));
        }

        /** Takes the next step its inputs allow; called under the lock whenever one arrives. */
        private void progress() {
            if (over) {
                return;
            }
            if (identity != null && path != null && !certificateSent) {
                certificateSent = true; // spec section 3: once ICE has connected
                node.send(MessageType.CERTIFICATE, peerPid, payload().toJson());
            }
            if (identity == null || peerCertificate == null || connection != null) {
                return;
            }
            if (!client() && listener == null) {
                try {
                    listener = ice.socket().listen(identity, PinnedTrust.ofEncoded(List.of(peerCertificate)), node.config().settings(),
                            c -> node.workers().execute(() -> admit(c)));
                } catch (IOException e) {
                    node.workers().execute(() -> endAttempt(this, "cannot serve QUIC: " + e.getMessage(), true));
                }
            } else if (client() && path != null && !dialling) {
                dialling = true;
                TlsIdentity ours = identity;
                byte[] theirs = peerCertificate;
                boolean prove = peerProof.isPresent();
                InetSocketAddress remote = path.remote();
                node.workers().execute(() -> dial(remote, ours, theirs, prove));
            }
        }

        private void dial(InetSocketAddress remote, TlsIdentity ours, byte[] theirs, boolean prove) {
            QuicConnection c = null;
            try {
                c = ice.socket().connect(remote, ours, PinnedTrust.ofEncoded(List.of(theirs)), node.config().settings(),
                        ProxyNode.DIAL_TIMEOUT);
                if (prove) {
                    ClientProof.prove(c.openStream(), node.pid(), ours);
                }
                up(c);
            } catch (IOException | RuntimeException e) {
                if (c != null) {
                    c.close();
                }
                endAttempt(this, "QUIC to " + remote + " failed: " + e.getMessage(), true);
            }
        }

        /**
         * Server side. A peer that announced our client proof must give it first; a Go peer is
         * authenticated by TLS (its certificate pinned; a kwik server cannot ask for one, so there
         * only ICE's authenticated path vouches for it).
         */
        private void admit(QuicConnection c) {
            boolean expectProof;
            byte[] pinned;
            synchronized (SignalledPeer.this) {
                expectProof = peerProof.isPresent();
                pinned = peerCertificate;
            }
            if (expectProof) {
                X509Certificate parsed;
                try {
                    parsed = PeerCertificates.parse(pinned); // one of ours: the JDK reads it
                } catch (java.security.cert.CertificateException e) {
                    LOG.warning("party " + peerPid + " announced a client proof with an unreadable certificate: " + e.getMessage());
                    c.close();
                    return;
                }
                ClientAdmission.admit(c, pid -> pid == peerPid ? parsed : null, node.timers(), node.workers(),
                        (pid, proven) -> up(proven));
            } else {
                up(c);
            }
        }

        private void up(QuicConnection c) {
            synchronized (SignalledPeer.this) {
                if (over || connection != null) {
                    c.close();
                    return;
                }
                connection = c;
                deadline.cancel(false);
                retryPause = RETRY_MIN;
                Duration setup = Duration.ofNanos(System.nanoTime() - startNanos);
                status = new PeerStatus(peerPid, path, setup);
                link.attach(c, peerProof.isPresent());
                LOG.info("QUIC up with party " + peerPid + " path=" + (path == null ? "?" : path.kind())
                        + " setup_ms=" + setup.toMillis() + " engine=" + node.config().engine().name());
            }
            // Off the engine's thread: ending takes our lock, and closing under it waits on that thread.
            c.closeFuture().thenRunAsync(() -> endAttempt(this, "QUIC connection closed", true), node.workers());
        }

        void close() {
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (connection != null) {
                connection.close();
            }
            if (listener != null) {
                listener.close();
            }
            if (ice != null) {
                ice.close();
            }
        }
    }
}
