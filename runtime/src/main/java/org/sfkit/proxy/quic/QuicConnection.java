package org.sfkit.proxy.quic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One established QUIC connection to a peer. Either side may open bidirectional streams, whatever
 * its QUIC role (spec section 7: FRESCO's lower parties dial up, SF-GWAS's higher parties dial
 * down).
 */
public interface QuicConnection extends AutoCloseable {

    /**
     * Tells the engine the peer is one of ours and accepts DATAGRAM frames (RFC 9221), so an
     * engine without PING (Netty) may keep the connection alive with them. Never for other peers:
     * Netty closes the whole connection when a datagram cannot be sent to a peer that did not
     * negotiate them (a Go or plain kwik peer), and cannot tell us whether it did. Engines that
     * can PING ignore this.
     */
    default void useDatagramKeepAlives() {
    }

    /** Opens a new bidirectional stream; blocks while the peer's stream limit is used up. */
    QuicStream openStream() throws IOException;

    /**
     * Sets the handler for streams the peer opens. Streams arriving before it is set are held
     * (bounded by the engine's stream limit) and delivered once it is. Called on an engine thread:
     * hand off at once.
     */
    void onPeerStream(Consumer<QuicStream> handler);

    InetSocketAddress remoteAddress();

    /** The certificate the peer presented in TLS, or {@code null} where the engine cannot see one. */
    java.security.cert.X509Certificate peerCertificate();

    /** Completes (never exceptionally) once the connection is closed, by either side or idle timeout. */
    CompletableFuture<Void> closeFuture();

    boolean isOpen();

    @Override
    void close();
}
