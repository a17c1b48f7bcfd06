package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.sfkit.proxy.quic.ForeignDatagrams;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.SharedUdpSocket;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.SelfSignedCertificates;
import tech.kwik.core.DatagramSocketFactory;
import tech.kwik.core.QuicClientConnection;

/**
 * QUIC on kwik 0.10.8 (pure Java; the fallback where Netty's native QUIC cannot load). Constructing
 * it patches two kwik stream classes ({@link KwikStreamPatches}); it fails if that is impossible.
 */
public final class KwikEngine implements QuicEngine {
    /**
     * kwik's client sizes the connection window as 10 x the stream window passed to its builder
     * and offers no direct setter, so we pass a tenth of the wanted connection window there and set
     * the stream window afterwards.
     */
    private static final int KWIK_CONNECTION_WINDOW_FACTOR = 10;

    static {
        // kwik 0.10.8 asserts invariants that do not hold on a fast path: LossDetector.detectLostPackets
        // asserts (LossDetector.java:177) a loss delay above 0 ms, which is 9/8 of the RTT in whole
        // milliseconds, so 0 once a sub-millisecond sample was taken (loopback, a LAN). With -ea (as
        // surefire runs the tests, or a host application) the AssertionError escapes kwik's receive
        // loop, which catches only RuntimeException: the connection's receiver thread ends and the
        // connection stops silently (reads block for good, no idle timeout). Without -ea kwik carries
        // on. So kwik's own assertions stay off, whatever the JVM's flags; set before any kwik class
        // with an assertion is initialised (the status is fixed when a class is initialised).
        String kwikCore = QuicClientConnection.class.getPackageName(); // tech.kwik.core, or relocated
        QuicClientConnection.class.getClassLoader()
                .setPackageAssertionStatus(kwikCore.substring(0, kwikCore.lastIndexOf('.')), false);
    }

    /**
     * Our own keep-alive PINGs: kwik's {@code keepAlive(seconds)} pings every max-idle/2 (12 h at
     * the spec's 24 h) for a limited time, on a non-daemon thread per connection.
     */
    private static final ScheduledExecutorService KEEP_ALIVE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kwik-keep-alive");
        t.setDaemon(true);
        return t;
    });

    private static final MethodHandle PING = pingHandle();

    public KwikEngine() {
        KwikStreamPatches.install();
    }

    @Override
    public String name() {
        return "kwik";
    }

    @Override
    public QuicListener listen(InetSocketAddress bind, TlsIdentity identity, PinnedTrust trustedClients,
                               QuicSettings settings, Consumer<QuicConnection> onConnection) throws IOException {
        // trustedClients is unused: kwik's server cannot request a client certificate; the tunnel's
        // control stream proves the client instead (see QuicEngine).
        ServerDatagramSocket socket = new ServerDatagramSocket(bind);
        return KwikListener.open(socket, identity, settings, onConnection);
    }

    @Override
    public QuicConnection connect(InetSocketAddress bind, InetSocketAddress remote, TlsIdentity identity,
                                  PinnedTrust trustedServer, QuicSettings settings, Duration timeout)
            throws IOException {
        return dial(local -> new DatagramSocket(bind), remote, identity, trustedServer, settings, timeout);
    }

    @Override
    public SharedUdpSocket bindShared(InetSocketAddress bind, ForeignDatagrams foreign) throws IOException {
        return new KwikSharedSocket(this, bind, foreign);
    }

    /** Connects from the socket {@code sockets} makes (kwik closes it when the connection ends). */
    QuicConnection dial(DatagramSocketFactory sockets, InetSocketAddress remote, TlsIdentity identity,
                        PinnedTrust trustedServer, QuicSettings settings, Duration timeout) throws IOException {
        // The caller's deadline, capped by the settings' handshake timeout (spec section 6: 30 s).
        Duration handshakeTimeout = timeout.compareTo(settings.handshakeTimeout()) < 0 ? timeout : settings.handshakeTimeout();
        ServerHelloGate[] gate = new ServerHelloGate[1];
        QuicClientConnection kwik = QuicClientConnection.newBuilder()
                .applicationProtocol(QuicSettings.ALPN)
                // Accept a Netty peer's keep-alive datagrams (NettyQuicConnection.sendKeepAlive).
                .enableDatagramExtension()
                // kwik checks the server certificate's name against host() after the trust
                // manager: DNS SANs first, else every CN must equal it (no CN passes). Our
                // certificates say CN=sfkit-proxy, the Go peer's have no subject, neither has DNS
                // SANs, so with this name the pinned trust manager is the only check that decides.
                // proxy() is where the datagrams really go. (Spec section 6: no SNI matters.)
                .host(SelfSignedCertificates.CERTIFICATE_NAME)
                .proxy(remote.getAddress().getHostAddress())
                .port(remote.getPort())
                .customTrustManager(trustedServer.trustManager())
                // presented when the server asks (a Go server does; spec section 6)
                .clientCertificate(identity.certificate())
                .clientCertificateKey(identity.privateKey())
                .connectTimeout(handshakeTimeout)
                .maxIdleTimeout(settings.maxIdle())
                .defaultStreamReceiveBufferSize(settings.connectionWindow() / KWIK_CONNECTION_WINDOW_FACTOR)
                .maxOpenPeerInitiatedBidirectionalStreams(settings.maxPeerStreams())
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .socketFactory(server -> gate[0] = new ServerHelloGate(sockets.createSocket(server)))
                .logger(new KwikLog("client to " + remote))
                .build();
        gate[0].watch(kwik);
        kwik.setDefaultBidirectionalStreamReceiveBufferSize(settings.streamWindow());
        KwikConnection connection = new KwikConnection(kwik, remote, () -> serverCertificate(kwik));
        kwik.setPeerInitiatedStreamCallback(connection::peerStreamArrived);
        try {
            kwik.connect();
        } catch (IOException | RuntimeException e) {
            connection.close(); // also closes the socket kwik made through our factory
            // kwik reports a handshake timeout as a ConnectException with this message
            if (e instanceof ConnectException && e.getMessage() != null
                    && e.getMessage().startsWith("Connection timed out")) {
                SocketTimeoutException timedOut = new SocketTimeoutException(
                        "QUIC handshake with " + remote + " did not complete within " + handshakeTimeout);
                timedOut.initCause(e);
                throw timedOut;
            }
            throw e;
        }
        keepAlive(kwik, connection, settings.keepAlive());
        return connection;
    }

    private static void keepAlive(QuicClientConnection kwik, KwikConnection connection, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        ScheduledFuture<?> pings = KEEP_ALIVE.scheduleAtFixedRate(() -> {
            try {
                PING.invoke(kwik);
            } catch (IllegalStateException notConnected) {
                // closing; the close future cancels us
            } catch (Throwable e) {
                throw new IllegalStateException("kwik ping failed", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        connection.closeFuture().thenRun(() -> pings.cancel(false));
    }

    /**
     * {@code QuicClientConnectionImpl.ping()}, public but only on the implementation class, which
     * we cannot name at compile time (its supertypes come from kwik's runtime-only TLS library).
     */
    private static MethodHandle pingHandle() {
        try {
            Class<?> impl = Class.forName("tech.kwik.core.impl.QuicClientConnectionImpl", false,
                    QuicClientConnection.class.getClassLoader());
            return MethodHandles.publicLookup().findVirtual(impl, "ping", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, QuicClientConnection.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kwik 0.10.8 client has no ping()", e);
        }
    }

    private static X509Certificate serverCertificate(QuicClientConnection kwik) {
        List<X509Certificate> chain = kwik.getServerCertificateChain();
        return chain == null || chain.isEmpty() ? null : chain.get(0);
    }
}
