package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicStream;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;

/** A kwik connection of either role. */
final class KwikConnection implements QuicConnection {
    private final tech.kwik.core.QuicConnection connection;
    private final InetSocketAddress remote;
    private final Supplier<X509Certificate> peerCertificate;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Object handlerLock = new Object();
    /** Peer streams that arrived before {@link #onPeerStream}; kwik's stream limit bounds them. */
    private final List<QuicStream> waiting = new ArrayList<>();
    private Consumer<QuicStream> handler;

    /**
     * Registers for close events at once; the caller routes kwik's peer-stream callback to
     * {@link #peerStreamArrived} (clients: before connecting; servers: from the protocol connection).
     */
    KwikConnection(tech.kwik.core.QuicConnection connection, InetSocketAddress remote,
                   Supplier<X509Certificate> peerCertificate) {
        this.connection = connection;
        this.remote = remote;
        this.peerCertificate = peerCertificate;
        connection.setDatagramHandler(keepAlive -> { }); // a Netty peer's keep-alive: nothing to do
        connection.setConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(ConnectionTerminatedEvent event) {
                closed.complete(null);
            }
        });
    }

    void peerStreamArrived(tech.kwik.core.QuicStream kwikStream) {
        QuicStream stream = new KwikStream(kwikStream);
        Consumer<QuicStream> current;
        synchronized (handlerLock) {
            current = handler;
            if (current == null) {
                waiting.add(stream);
                return;
            }
        }
        current.accept(stream);
    }

    @Override
    public QuicStream openStream() throws IOException {
        if (closed.isDone()) {
            throw new IOException("QUIC connection to " + remote + " is closed");
        }
        return new KwikStream(connection.createStream(true));
    }

    @Override
    public void onPeerStream(Consumer<QuicStream> newHandler) {
        List<QuicStream> held;
        synchronized (handlerLock) {
            handler = newHandler;
            held = List.copyOf(waiting);
            waiting.clear();
        }
        held.forEach(newHandler);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public X509Certificate peerCertificate() {
        return peerCertificate.get();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone();
    }

    /** CONNECTION_CLOSE without error (RFC 9000 section 10.2); kwik drains in the background. */
    @Override
    public void close() {
        try {
            connection.close();
        } finally {
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return "kwik connection with " + remote;
    }
}
