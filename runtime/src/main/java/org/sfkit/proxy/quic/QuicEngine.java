package org.sfkit.proxy.quic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The one seam between sfkit-proxy and a QUIC implementation (kwik or Netty's native QUIC).
 * Nothing outside {@code org.sfkit.proxy.quic.*} imports kwik or Netty's QUIC classes.
 *
 * <p>Every connection uses ALPN {@link QuicSettings#ALPN}, TLS 1.3 and certificates pinned
 * byte for byte (no PKIX path checks; spec section 6). Client authentication differs per engine
 * (a kwik server cannot request a client certificate), so the tunnel layer additionally proves the
 * client's identity on a control stream; see {@code org.sfkit.proxy.tunnel.ControlChannel}.
 */
public interface QuicEngine {

    /** Short name for logs and reports: {@code "netty"} or {@code "kwik"}. */
    String name();

    /**
     * Binds a QUIC server on {@code bind} and hands every established connection to
     * {@code onConnection} (on an engine thread: hand off at once, never block it).
     *
     * @param trustedClients the certificates a client may present; an engine that can request
     *     client certificates rejects any other, an engine that cannot (kwik) relies on the
     *     tunnel's control-stream proof.
     */
    QuicListener listen(InetSocketAddress bind, TlsIdentity identity, PinnedTrust trustedClients,
                        QuicSettings settings, Consumer<QuicConnection> onConnection) throws IOException;

    /**
     * Connects from a new UDP socket bound to {@code bind} to the server at {@code remote}, whose
     * certificate must equal one in {@code trustedServer}. Blocks until the handshake completes or
     * {@code timeout} passes (then {@link java.net.SocketTimeoutException}).
     */
    QuicConnection connect(InetSocketAddress bind, InetSocketAddress remote, TlsIdentity identity,
                           PinnedTrust trustedServer, QuicSettings settings, Duration timeout)
            throws IOException;

    /**
     * Binds a UDP socket on {@code bind} that QUIC shares with the datagrams {@code foreign}
     * claims (STUN; spec section 5).
     */
    SharedUdpSocket bindShared(InetSocketAddress bind, ForeignDatagrams foreign) throws IOException;

    /**
     * A TCP listener for an ingress whose connections this engine carries best: Netty accepts on
     * its own event loops, so a connection can join its stream's loop; the default is a JDK
     * listener, bridged with pump threads.
     */
    default TcpListener listenTcp(InetSocketAddress bind, int backlog) throws IOException {
        return SocketTcpListener.bind(bind, backlog);
    }
}
