package org.sfkit.proxy.socks;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.config.AddressPlan;
import org.sfkit.proxy.config.PartyTarget;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.TcpConnection;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.tunnel.StreamBridge;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * The SOCKS5 ingress (RFC 1928, RFC 1929): CONNECT only, to destinations the {@link AddressPlan}
 * maps onto a party. The destination is a label: the only outbound connection is
 * {@link TunnelDialer#open}, and the success reply is sent only after it returned, so a client's
 * connect succeeds only when the far side connected.
 *
 * <p>Threads: one listener thread blocking in {@code accept}, one daemon thread per handshake (it
 * ends once the connection is carried: {@link StreamBridge#splice}). The listener is the dialer's
 * ({@link TunnelDialer#listen}), so a Netty engine accepts on its own event loops and carries the
 * connection there, without pump threads.
 */
public final class SocksServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(SocksServer.class.getName());

    /**
     * Bounds the whole negotiation (greeting, authentication, request), not each read, so a client
     * trickling one byte at a time cannot stretch it. A loopback client needs milliseconds; 10 s
     * leaves room for a client paused by GC or swapping and still frees a stalled one's thread soon.
     */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Handshakes (negotiation plus dial) in flight at once, one thread each. SF-GWAS opens
     * {@code mpc_num_threads} (tens of) connections per peer in a burst; 256 leaves headroom and
     * caps the threads a runaway local client can pin. Over the cap a connection is closed at once,
     * so its client fails visibly (and may retry) instead of waiting unseen in the accept queue.
     */
    static final int MAX_CONCURRENT_HANDSHAKES = 256;
    /** Room for a burst of connects as large as the handshake cap (the JDK default is 50). */
    private static final int ACCEPT_BACKLOG = MAX_CONCURRENT_HANDSHAKES;
    /**
     * After an error we read and discard what the client still sends before closing (a
     * "lingering close", RFC 9112 section 9.6 describes it for HTTP): closing with unread input
     * makes the kernel send an RST, which can destroy the reply before the client reads it. A
     * client reads a reply and closes within milliseconds on loopback.
     */
    private static final Duration LINGER_AFTER_ERROR = Duration.ofSeconds(1);
    /** A failing accept (EMFILE) keeps failing until a descriptor frees: pause instead of spinning. */
    private static final Duration ACCEPT_RETRY_PAUSE = Duration.ofMillis(100);

    private final TcpListener listener;
    private final InetSocketAddress localAddress;
    private final AddressPlan plan;
    private final TunnelDialer dialer;
    private final SocksCredentials credentials;
    private final Duration handshakeTimeout;
    private final int maxHandshakes;
    private final Semaphore handshakeSlots;
    /**
     * Sockets between accept and hand-off to the bridge, so {@link #close()} can end them. Guarded
     * by itself: joining, leaving and close()'s sweep exclude each other, so a socket is either
     * swept or handed off, never both.
     */
    private final Set<TcpConnection> handshaking = new HashSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger connectionIds = new AtomicInteger();

    private SocksServer(TcpListener listener, AddressPlan plan, TunnelDialer dialer, SocksCredentials credentials,
            Duration handshakeTimeout, int maxHandshakes) {
        this.listener = listener;
        this.localAddress = listener.localAddress();
        this.plan = plan;
        this.dialer = dialer;
        this.credentials = credentials;
        this.handshakeTimeout = handshakeTimeout;
        this.maxHandshakes = maxHandshakes;
        this.handshakeSlots = new Semaphore(maxHandshakes);
    }

    /**
     * Binds and starts accepting.
     *
     * @param credentialsOrNull when given, clients must authenticate with them (RFC 1929);
     *     otherwise only no-authentication is accepted
     */
    public static SocksServer start(InetSocketAddress bind, AddressPlan plan, TunnelDialer dialer,
            SocksCredentials credentialsOrNull) throws IOException {
        return start(bind, plan, dialer, credentialsOrNull, HANDSHAKE_TIMEOUT, MAX_CONCURRENT_HANDSHAKES);
    }

    /** As {@link #start(InetSocketAddress, AddressPlan, TunnelDialer, SocksCredentials)}, with the limits given. */
    static SocksServer start(InetSocketAddress bind, AddressPlan plan, TunnelDialer dialer,
            SocksCredentials credentialsOrNull, Duration handshakeTimeout, int maxHandshakes) throws IOException {
        TcpListener listener = dialer.listen(bind, ACCEPT_BACKLOG);
        SocksServer server = new SocksServer(listener, plan, dialer, credentialsOrNull, handshakeTimeout, maxHandshakes);
        Thread acceptor = new Thread(server::acceptLoop, "sfkit-socks-accept-" + server.localAddress.getPort());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info(() -> "SOCKS5 listening addr=" + server.localAddress
                + " auth=" + (credentialsOrNull == null ? "none" : "username/password"));
        return server;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Stops accepting and ends handshakes in flight; bridged connections carry on. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(listener);
        synchronized (handshaking) {
            handshaking.forEach(SocksServer::closeQuietly);
        }
        LOG.info(() -> "SOCKS5 closed addr=" + localAddress);
    }

    private void acceptLoop() {
        while (!closed.get()) {
            TcpConnection socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed.get() || listener.isClosed()) {
                    return;
                }
                LOG.log(Level.WARNING, "SOCKS5 accept failed on " + localAddress + ", retrying", e);
                pause(ACCEPT_RETRY_PAUSE);
                continue;
            }
            if (!handshakeSlots.tryAcquire()) {
                LOG.warning(() -> "SOCKS5 " + maxHandshakes + " handshakes in flight, closing connection from "
                        + socket.remoteAddress());
                closeQuietly(socket);
                continue;
            }
            int id = connectionIds.incrementAndGet();
            String label = "socks#" + id + " from " + socket.remoteAddress();
            Thread handler = new Thread(() -> {
                try {
                    serve(socket, label);
                } finally {
                    handshakeSlots.release();
                }
            }, "sfkit-socks-" + id);
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void serve(TcpConnection socket, String label) {
        boolean handedOff = false;
        try {
            synchronized (handshaking) {
                if (closed.get()) {
                    return; // close() swept the set before this socket could join it
                }
                handshaking.add(socket);
            }
            InputStream in = new DeadlineInputStream(socket, System.nanoTime() + handshakeTimeout.toNanos());
            OutputStream out = socket.output();
            SocksRequest request = SocksHandshake.negotiate(in, out, credentials);
            LOG.fine(() -> label + ": " + request);
            QuicStream stream = dial(request);
            replySuccessAndBridge(socket, stream, label);
            handedOff = true;
        } catch (SocksException e) {
            LOG.fine(() -> label + ": " + e.getMessage() + e.reply().map(r -> ", replying " + r).orElse(", closing"));
            replyAndLinger(socket, e);
        } catch (SocketTimeoutException e) {
            LOG.fine(() -> label + ": handshake not done within " + handshakeTimeout + ", closing");
        } catch (IOException e) {
            LOG.fine(() -> label + ": handshake ended: " + e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, label + ": handshake failed", e);
        } finally {
            leaveHandshaking(socket);
            if (!handedOff) {
                closeQuietly(socket);
            }
        }
    }

    /** Routes and dials; every refusal becomes a {@link SocksException} carrying its reply. */
    private QuicStream dial(SocksRequest request) throws SocksException {
        if (request.command() != SocksCommand.CONNECT) {
            throw SocksException.replying(SocksReplyCode.COMMAND_NOT_SUPPORTED, request.command() + " is not served");
        }
        if (request.port() == 0) { // names no TCP endpoint (and PartyTarget rejects it)
            throw SocksException.replying(SocksReplyCode.HOST_UNREACHABLE, "destination port 0");
        }
        PartyTarget target = plan.route(request.host(), request.port()).orElseThrow(() -> SocksException.replying(
                SocksReplyCode.HOST_UNREACHABLE, "no party for " + request.host() + ":" + request.port()));
        try {
            return dialer.open(target.party(), target.port());
        } catch (TunnelException e) {
            throw SocksException.replying(replyFor(e.reason()), "tunnel to " + target + " failed: " + e.reason()
                    + ": " + e.getMessage());
        } catch (IOException e) {
            throw SocksException.replying(SocksReplyCode.GENERAL_FAILURE, "tunnel to " + target + " failed: " + e);
        } catch (RuntimeException e) {
            // A dialer bug: still answer, so the client fails with a reply rather than a bare close.
            LOG.log(Level.WARNING, "SOCKS5 dialer failed for " + target, e);
            throw SocksException.replying(SocksReplyCode.GENERAL_FAILURE, "tunnel to " + target + " failed: " + e);
        }
    }

    /**
     * CONNECT_FAILED is 0x01 rather than 0x04: the peer was reached and its local connect failed
     * for a reason other than refusal, which says nothing about the host the client named.
     */
    static SocksReplyCode replyFor(TunnelException.Reason reason) {
        return switch (reason) {
            case CONNECTION_REFUSED -> SocksReplyCode.CONNECTION_REFUSED;
            case UNKNOWN_PARTY, PEER_UNREACHABLE -> SocksReplyCode.HOST_UNREACHABLE;
            case CONNECT_FAILED, TRANSPORT_ERROR -> SocksReplyCode.GENERAL_FAILURE;
        };
    }

    private void replySuccessAndBridge(TcpConnection socket, QuicStream stream, String label) throws IOException {
        // Out of close()'s reach before the client can see success: a connection it was told is
        // established is the bridge's. A close() that came first has closed the socket: the write fails.
        leaveHandshaking(socket);
        try {
            socket.output().write(SocksWire.reply(SocksReplyCode.SUCCEEDED));
            socket.setReadTimeout(Duration.ZERO); // a bridge blocks on reads for as long as the application is quiet
        } catch (IOException e) {
            stream.reset(StreamErrorCodes.ABORTED); // the client or the server closed while we dialled
            throw e;
        }
        StreamBridge.splice(socket, stream, label).whenComplete((transfer, error) -> LOG.fine(() -> label
                + ": connection ended" + (error != null ? " " + error : transfer != null ? " " + transfer : "")));
    }

    private void leaveHandshaking(TcpConnection socket) {
        synchronized (handshaking) {
            handshaking.remove(socket);
        }
    }

    /** Sends the reply an exception carries, if any, then a lingering close. */
    private static void replyAndLinger(TcpConnection socket, SocksException e) {
        try {
            if (e.reply().isPresent()) {
                socket.output().write(SocksWire.reply(e.reply().get()));
            }
            socket.shutdownOutput(); // FIN right behind the reply
            socket.setReadTimeout(LINGER_AFTER_ERROR);
            long end = System.nanoTime() + LINGER_AFTER_ERROR.toNanos();
            InputStream in = socket.input();
            byte[] discard = new byte[512];
            while (in.read(discard) >= 0 && System.nanoTime() < end) {
                // discard until the client closes or the linger time is over
            }
        } catch (IOException ignored) {
            // the client is gone or silent: closing is all that is left
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** Reads with one deadline for the whole handshake: each read waits only for the time left. */
    private static final class DeadlineInputStream extends InputStream {
        private final TcpConnection socket;
        private final InputStream in;
        private final long deadlineNanos;

        DeadlineInputStream(TcpConnection socket, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = socket.input(); // unbuffered: bytes after the request stay for the bridge
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public int read() throws IOException {
            armTimeout();
            return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            armTimeout();
            return in.read(buffer, offset, length);
        }

        private void armTimeout() throws IOException {
            long leftNanos = deadlineNanos - System.nanoTime();
            if (leftNanos <= 0) {
                throw new SocketTimeoutException("handshake deadline passed");
            }
            socket.setReadTimeout(Duration.ofNanos(leftNanos));
        }
    }
}
