package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.TlsIdentity;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnection;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * A kwik {@link ServerConnector} on a socket of ours. kwik's server cannot request client
 * certificates, so accepted connections report no peer certificate and the tunnel's control
 * stream proves the client.
 */
final class KwikListener implements QuicListener {
    private static final Logger LOG = Logger.getLogger(KwikListener.class.getName());
    private static final String KEY_ALIAS = "sfkit";
    /** The in-memory key store never leaves the process; its password protects nothing. */
    private static final char[] KEY_PASSWORD = "sfkit".toCharArray();
    /**
     * Server connection IDs: kwik's usual length. Nothing routes by it (one socket per listener),
     * but kwik's short-header parsing needs a fixed length.
     */
    private static final int CONNECTION_ID_LENGTH = 8;

    private final DatagramSocket socket;
    private final ServerConnector connector;
    private final InetSocketAddress localAddress;
    private final Set<KwikConnection> connections = ConcurrentHashMap.newKeySet();

    private KwikListener(DatagramSocket socket, ServerConnector connector) {
        this.socket = socket;
        this.connector = connector;
        this.localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /**
     * Serves on {@code socket}, which must never throw from {@code receive()} while open (see
     * {@link ServerDatagramSocket}); it is closed on failure and by {@link #close}.
     */
    static KwikListener open(DatagramSocket socket, TlsIdentity identity, QuicSettings settings,
                             Consumer<QuicConnection> onConnection) throws IOException {
        try {
            ServerConnector connector = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(keyStore(identity), KEY_ALIAS, KEY_PASSWORD)
                    .withConfiguration(ServerConnectionConfig.builder()
                            .maxIdleTimeout(Math.toIntExact(settings.maxIdle().toMillis()))
                            .maxBidirectionalStreamBufferSize(settings.streamWindow())
                            .maxConnectionBufferSize(settings.connectionWindow())
                            .maxOpenPeerInitiatedBidirectionalStreams(settings.maxPeerStreams())
                            // spec section 7 uses bidirectional streams only
                            .maxOpenPeerInitiatedUnidirectionalStreams(0)
                            // no Retry round trip: the peer is authenticated by its pinned
                            // certificate, address validation adds nothing (RFC 9000 section 8.1)
                            .retryRequired(false)
                            .connectionIdLength(CONNECTION_ID_LENGTH)
                            .build())
                    .withLogger(new KwikLog("server " + socket.getLocalSocketAddress()))
                    .build();
            KwikListener listener = new KwikListener(socket, connector);
            connector.registerApplicationProtocol(QuicSettings.ALPN, listener.protocol(settings, onConnection));
            connector.start();
            return listener;
        } catch (GeneralSecurityException | RuntimeException e) {
            socket.close();
            throw new IOException("cannot start kwik QUIC server on " + socket.getLocalSocketAddress(), e);
        }
    }

    private ApplicationProtocolConnectionFactory protocol(QuicSettings settings, Consumer<QuicConnection> onConnection) {
        return new ApplicationProtocolConnectionFactory() {
            // Called once the handshake completed, on a kwik thread.
            @Override
            public ApplicationProtocolConnection createConnection(String protocol, tech.kwik.core.QuicConnection kwik) {
                InetSocketAddress remote = ((ServerConnection) kwik).getInitialRemoteAddress();
                KwikConnection connection = new KwikConnection(kwik, remote, () -> null);
                connections.add(connection);
                connection.closeFuture().thenRun(() -> connections.remove(connection));
                onConnection.accept(connection);
                return new ApplicationProtocolConnection() {
                    @Override
                    public void acceptPeerInitiatedStream(QuicStream stream) {
                        connection.peerStreamArrived(stream);
                    }
                };
            }

            // kwik merges these with the connector configuration, the smaller value winning.
            @Override
            public int maxConcurrentPeerInitiatedBidirectionalStreams() {
                return settings.maxPeerStreams();
            }

            @Override
            public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
                return 0;
            }

            // Accept a Netty peer's keep-alive datagrams (NettyQuicConnection.sendKeepAlive).
            @Override
            public boolean enableDatagramExtension() {
                return true;
            }
        };
    }

    private static KeyStore keyStore(TlsIdentity identity) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(KEY_ALIAS, identity.privateKey(), KEY_PASSWORD, new Certificate[] {identity.certificate()});
        return store;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Closes our connections first (so kwik's close does not wait on them), then the connector,
     * which stops its receiver, ends its non-daemon threads and closes the socket, in that order
     * (see {@link ServerDatagramSocket}).
     */
    @Override
    public void close() {
        connections.forEach(KwikConnection::close);
        try {
            connector.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "kwik server connector did not close cleanly", e);
        } finally {
            socket.close();
        }
    }
}
