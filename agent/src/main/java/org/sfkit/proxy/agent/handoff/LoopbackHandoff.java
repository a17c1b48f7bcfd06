package org.sfkit.proxy.agent.handoff;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.TcpConnection;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.tunnel.StreamBridge;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * Carries an intercepted connect through the tunnel by a hand-off over loopback.
 *
 * <p><b>Dial first.</b> The tunnel is opened <em>before</em> the application's kernel connect: a
 * connect to the loopback listener completes at SYN/ACK, long before a peer could say "refused",
 * so only dialling first lets a refused port, an unknown party or a transport that is not up
 * surface as a {@link ConnectException} from the application's own {@code connect()} (FRESCO
 * retries on exactly that). The price: a non-blocking connect (a selector thread, Netty's event
 * loop, {@code HttpClient}) waits one tunnel round trip inside {@code connect()}.
 *
 * <p><b>Race-free hand-off.</b> The application's socket is bound to 127.0.0.1:0 before its SYN,
 * the open stream is parked under that local port, and the connect goes to our listener, which
 * finds the stream by the accepted socket's remote port and splices the two
 * ({@link StreamBridge#splice}: on the engine's event loop where it can, the listener being the
 * transport's). The application still sees 10.0.0.N:p as its remote address.
 */
public final class LoopbackHandoff implements AutoCloseable {
    /**
     * How long an opened stream waits for its application socket to reach the listener. The
     * connect is already under way when the stream is parked, so this only matters when the
     * application abandoned the connect; generous, because each stale entry is one idle stream.
     */
    private static final long PENDING_EXPIRY_SECONDS = 30;
    /** Simultaneous hand-offs in flight between SYN and accept; the kernel's limit applies anyway. */
    private static final int LISTEN_BACKLOG = 1024;

    private record Pending(QuicStream stream, String label) {
    }

    private final TunnelDialer dialer;
    private final TcpListener listener;
    private final InetSocketAddress listenerAddress;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sfkit-agent-expiry");
        t.setDaemon(true);
        return t;
    });

    private LoopbackHandoff(TunnelDialer dialer, TcpListener listener) {
        this.dialer = dialer;
        this.listener = listener;
        this.listenerAddress = listener.localAddress();
    }

    /** Starts the listener; connects handed off from then on are carried through {@code dialer}. */
    public static LoopbackHandoff start(TunnelDialer dialer) throws IOException {
        TcpListener listener = dialer.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), LISTEN_BACKLOG);
        LoopbackHandoff handoff = new LoopbackHandoff(dialer, listener);
        Thread acceptor = new Thread(handoff::acceptLoop, "sfkit-agent-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        return handoff;
    }

    /** Dials {@code target:port}, binds the JDK socket {@code fd} and returns where its connect must go. */
    public InetSocketAddress handOff(ProtocolFamily family, FileDescriptor fd, InetAddress target, int port)
            throws IOException {
        return handOff(target, port, () -> JdkSockets.bindLoopbackIfUnbound(family, fd));
    }

    /** The same for a Netty native socket. */
    public InetSocketAddress handOff(Object nettySocket, InetSocketAddress target) throws IOException {
        return handOff(target.getAddress(), target.getPort(), () -> NettySockets.bindLoopbackIfUnbound(nettySocket));
    }

    /** Binds the application's socket and returns its local port. */
    private interface LocalBinding {
        int bind() throws IOException;
    }

    private InetSocketAddress handOff(InetAddress target, int port, LocalBinding binding) throws IOException {
        byte[] octets = target.getAddress();
        int party = octets[octets.length - 1] & 0xff;
        String label = "agent " + target.getHostAddress() + ":" + port;
        QuicStream stream = open(party, port, label);
        int localPort;
        try {
            localPort = binding.bind();
        } catch (IOException | RuntimeException e) {
            stream.reset(StreamErrorCodes.ABORTED);
            throw e;
        }
        Pending entry = new Pending(stream, label);
        Pending stale = pending.put(localPort, entry);
        if (stale != null) { // the port was freed and reused by a socket that never completed its connect
            stale.stream().reset(StreamErrorCodes.ABORTED);
        }
        expiry.schedule(() -> {
            if (pending.remove(localPort, entry)) {
                entry.stream().reset(StreamErrorCodes.ABORTED);
            }
        }, PENDING_EXPIRY_SECONDS, TimeUnit.SECONDS);
        return listenerAddress;
    }

    /** Every failure becomes a {@link ConnectException}: that is what a refused connect looks like. */
    private QuicStream open(int party, int port, String label) throws ConnectException {
        try {
            return dialer.open(party, port);
        } catch (TunnelException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            ConnectException failure = new ConnectException("sfkit-proxy agent: " + label + " not carried: " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            TcpConnection socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    logger().log(Level.WARNING, "sfkit-proxy agent listener failed", e);
                }
                return;
            }
            Pending entry = pending.remove(socket.remoteAddress().getPort());
            if (entry == null) { // not one of ours (another local process, or expired)
                socket.abort();
                continue;
            }
            // Our side has TCP_NODELAY (the listener's); the application chose its own Nagle setting.
            StreamBridge.splice(socket, entry.stream(), entry.label());
        }
    }

    private static Logger logger() {
        return Logger.getLogger(LoopbackHandoff.class.getName());
    }

    @Override
    public void close() {
        // A daemon thread blocked in accept() still delays JVM exit by ~300 ms: close explicitly.
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        expiry.shutdownNow();
        pending.values().forEach(p -> p.stream().reset(StreamErrorCodes.ABORTED));
        pending.clear();
    }
}
