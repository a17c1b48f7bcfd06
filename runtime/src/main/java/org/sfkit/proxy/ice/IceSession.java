package org.sfkit.proxy.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateExtendedType;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.ServerReflexiveCandidate;
import org.sfkit.proxy.config.IpLiterals;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.SharedUdpSocket;
import org.sfkit.proxy.signal.CandidateLine;
import org.sfkit.proxy.signal.IceCredential;

/**
 * One ICE attempt with one peer (RFC 8445, trickled; spec section 5): a fresh UDP socket shared
 * with QUIC, an ice4j agent with one stream of one component, a fresh credential, host candidates
 * on every {@link IceOptions#hostAddresses() host address} and server-reflexive ones from each STUN
 * server. Checks start once the peer's credential and a first candidate are here and our
 * gathering is done. An ICE restart is a new session (new socket, new credential, re-gathered).
 */
public final class IceSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IceSession.class.getName());
    private static final String STREAM = "data";
    /** Spec section 3: component 1, UDP. */
    private static final int COMPONENT = 1;
    private static final String UDP = "udp";

    /** What the session reports; called on ice4j or gathering threads, never blocking them long. */
    public interface Events {
        /** A local candidate to signal to the peer. */
        void localCandidate(CandidateLine line);

        /** Gathering is over; {@link #localAddresses()} is complete. */
        void gathered();

        /** Checks succeeded: QUIC may use {@code path}. */
        void connected(IcePath path);

        /** Checks failed, or the session broke. */
        void failed(String why);
    }

    private final IceOptions options;
    private final Events events;
    /** Where events from the socket's receive thread are handed off to (they take callers' locks). */
    private final Executor executor;
    private final IceCredential localCredential = IceCredential.generate();
    private final StunDemux demux = new StunDemux();
    private final SharedUdpSocket socket;
    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final List<CandidateLine> localLines = new ArrayList<>(); // guarded by this
    private IceCredential remoteCredential; // guarded by this
    private boolean gathered; // guarded by this
    private boolean checking; // guarded by this
    private volatile boolean closed;
    private volatile StunBindingRefresh refresh;

    private IceSession(IceOptions options, QuicEngine engine, boolean controlling, Events events, Executor executor)
            throws IOException {
        Ice4jDefaults.apply(); // before the first ice4j class reads its configuration
        this.options = options;
        this.events = events;
        this.executor = executor;
        this.socket = engine.bindShared(options.bindAddress(), demux);
        demux.attach(socket);
        agent = new SignalledAgent(localCredential);
        try {
            agent.setControlling(controlling);
            // Host candidates on our socket come from our host harvester; dynamic ports off keeps
            // ice4j from binding sockets of its own; trickling keeps createComponent from running
            // the other harvesters (we run STUN ourselves, in the background).
            agent.setTrickling(true);
            agent.setUseDynamicPorts(false);
            agent.addCandidateHarvester(new SharedSocketHostHarvester(options.hostAddresses(),
                    socket.localAddress().getPort(), demux));
            stream = agent.createMediaStream(STREAM);
            component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
            agent.addStateChangeListener(this::stateChanged);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Binds the socket, makes the agent and its host candidates (reported at once through
     * {@code events}), then asks the STUN servers for server-reflexive ones; events from that
     * run on {@code executor}.
     */
    public static IceSession start(IceOptions options, QuicEngine engine, boolean controlling, Events events,
                                   Executor executor) throws IOException {
        IceSession session = new IceSession(options, engine, controlling, events, executor);
        session.component.getLocalCandidates().forEach(session::report);
        session.gatherReflexive();
        return session;
    }

    /**
     * Loads and configures ice4j once, off the critical path: its first agent costs ~0.3 s on an
     * idle machine (Kotlin reflection in its configuration library) and many seconds on a busy one.
     * Binds nothing and sends nothing.
     */
    public static void warmUp() {
        Ice4jDefaults.apply();
        new Agent().free();
    }

    public IceCredential localCredential() {
        return localCredential;
    }

    public SharedUdpSocket socket() {
        return socket;
    }

    /** Every local candidate reported so far, in order (to resend after a signalling reconnect). */
    public synchronized List<CandidateLine> localCandidates() {
        return List.copyOf(localLines);
    }

    /**
     * Every address the peer may see us at: each local candidate's address and related address
     * (spec section 3, the certificate's {@code addrs}).
     */
    public List<InetSocketAddress> localAddresses() {
        Set<InetSocketAddress> all = new LinkedHashSet<>();
        for (LocalCandidate c : component.getLocalCandidates()) {
            all.add(c.getTransportAddress());
            if (c.getRelatedAddress() != null) {
                all.add(c.getRelatedAddress());
            }
        }
        return List.copyOf(all);
    }

    public synchronized Optional<IceCredential> remoteCredential() {
        return Optional.ofNullable(remoteCredential);
    }

    /** The peer's credential for this session; a different one later means a new session. */
    public synchronized void remoteCredential(IceCredential credential) {
        if (remoteCredential != null) {
            throw new IllegalStateException("this session already has the peer's credential");
        }
        remoteCredential = credential;
        stream.setRemoteUfrag(credential.ufrag());
        stream.setRemotePassword(credential.pwd());
        maybeStartChecks();
    }

    /** A trickled candidate of the peer; those we cannot use (TCP, IPv6, mDNS names) are skipped. */
    public synchronized void remoteCandidate(CandidateLine line) {
        if (closed) {
            return;
        }
        Optional<InetAddress> ip = IpLiterals.parse(line.ip());
        if (!UDP.equalsIgnoreCase(line.transport()) || line.component() != COMPONENT || ip.isEmpty()
                || !(ip.get() instanceof java.net.Inet4Address)) {
            LOG.fine(() -> "skipping remote candidate we cannot use: " + line);
            return;
        }
        CandidateType type = CandidateType.parse(line.type());
        RemoteCandidate candidate = new RemoteCandidate(new TransportAddress(ip.get(), line.port(), Transport.UDP),
                component, type, line.foundation(), line.priority(), null,
                remoteCredential == null ? null : remoteCredential.ufrag());
        if (checking) {
            component.addUpdateRemoteCandidates(candidate);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(candidate);
            maybeStartChecks();
        }
    }

    /**
     * Gathering ends when every STUN server answered or was given up ({@link ReflexiveGathering});
     * only then do checks start and is the certificate made (its IP SANs need the srflx address).
     * A later answer is still added and trickled.
     */
    private void gatherReflexive() {
        long start = System.nanoTime();
        ReflexiveGathering.start(demux, options.stunServers(), executor, this::reflexive).thenRunAsync(() -> {
            LOG.fine(() -> "gathered in " + (System.nanoTime() - start) / 1_000_000 + " ms local="
                    + socket.localAddress() + " candidates=" + component.getLocalCandidates());
            synchronized (this) {
                gathered = true;
                maybeStartChecks();
            }
            if (closed) {
                return;
            }
            if (!options.stunServers().isEmpty()) {
                refresh = StunBindingRefresh.start(demux, options.stunServers(), localAddresses()::contains,
                        why -> executor.execute(() -> events.failed(why)));
                if (closed) {
                    refresh.close();
                }
            }
            events.gathered();
        }, executor);
    }

    /** A STUN server's answer: a srflx candidate based on our (first non-loopback) host candidate. */
    private void reflexive(InetSocketAddress server, InetSocketAddress mapped) {
        if (closed) {
            return;
        }
        Optional<HostCandidate> base = component.getLocalCandidates().stream()
                .filter(HostCandidate.class::isInstance).map(HostCandidate.class::cast)
                .min(Comparator.comparing((HostCandidate h) -> h.getTransportAddress().getAddress().isLoopbackAddress()));
        if (base.isEmpty()) {
            return;
        }
        ServerReflexiveCandidate candidate = new ServerReflexiveCandidate(new TransportAddress(mapped, Transport.UDP),
                base.get(), new TransportAddress(server, Transport.UDP),
                CandidateExtendedType.STUN_SERVER_REFLEXIVE_CANDIDATE);
        if (component.addLocalCandidate(candidate)) {
            report(candidate);
        }
    }

    private void report(LocalCandidate c) {
        TransportAddress related = c.getRelatedAddress();
        CandidateLine line = new CandidateLine(c.getFoundation(), COMPONENT, UDP, c.getPriority(),
                c.getTransportAddress().getHostAddress(), c.getTransportAddress().getPort(), c.getType().toString(),
                related == null ? Optional.empty()
                        : Optional.of(new CandidateLine.Related(related.getHostAddress(), related.getPort())));
        synchronized (this) {
            if (localLines.stream().anyMatch(l -> l.ip().equals(line.ip()) && l.port() == line.port())) {
                return; // a srflx equal to a host address (no NAT) adds nothing
            }
            localLines.add(line);
        }
        events.localCandidate(line);
    }

    private void maybeStartChecks() {
        if (!checking && !closed && gathered && remoteCredential != null && component.getRemoteCandidateCount() > 0) {
            checking = true;
            agent.startConnectivityEstablishment();
        }
    }

    private void stateChanged(PropertyChangeEvent event) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(event.getPropertyName()) || closed) {
            return;
        }
        IceProcessingState state = (IceProcessingState) event.getNewValue();
        LOG.fine(() -> "ICE state " + state + " local=" + socket.localAddress());
        if (state == IceProcessingState.COMPLETED) {
            CandidatePair pair = component.getSelectedPair();
            if (pair == null) {
                events.failed("ICE completed without a selected pair");
                return;
            }
            events.connected(new IcePath(pair.getRemoteCandidate().getTransportAddress(),
                    pair.getLocalCandidate().getType().toString(), pair.getRemoteCandidate().getType().toString()));
        } else if (state == IceProcessingState.FAILED) {
            events.failed("ICE checks failed");
        }
    }

    @Override
    public void close() {
        closed = true;
        if (refresh != null) {
            refresh.close();
        }
        try {
            agent.free();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ice4j agent did not free cleanly", e);
        }
        socket.close();
    }
}
