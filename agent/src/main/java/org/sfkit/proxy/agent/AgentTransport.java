package org.sfkit.proxy.agent;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketImpl;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;
import org.sfkit.proxy.agent.handoff.LoopbackHandoff;
import org.sfkit.proxy.agent.pipe.StreamSocketImpl;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.tunnel.TunnelDialer;

/**
 * What the instrumented connects reach through the bridge: {@code java.net.Socket} connects become in-memory
 * pipes ({@link StreamSocketImpl}), every other JDK or Netty connect a loopback hand-off. Both
 * dial through the party's transport, which starts in the background: a connect made before it
 * is up waits for it, and one made after it failed to start throws {@link ConnectException}
 * naming the problem (fail closed: 10.0.0.x never reaches the kernel).
 */
final class AgentTransport implements AgentBridge.Redirector, TunnelDialer {
    /**
     * How long a connect waits for the transport to start (options, certificates, QUIC engine;
     * waiting for the peer is the node's own, shorter, business). Generous: a JVM starting on a
     * loaded two-core machine took over 10 s to load the engine in the benchmark runs.
     */
    private static final long START_WAIT_SECONDS = 60;

    private volatile CompletableFuture<TunnelDialer> dialer = new CompletableFuture<>();
    private LoopbackHandoff handoff;

    /** From now on connects go through {@code started}; replaces an earlier one. */
    void use(TunnelDialer started) {
        if (!dialer.complete(started)) {
            dialer = CompletableFuture.completedFuture(started);
        }
    }

    /** The transport could not start: connects fail with {@code problem} from now on. */
    void failed(Throwable problem) {
        dialer.completeExceptionally(problem);
    }

    @Override
    public QuicStream open(int party, int port) throws IOException {
        return started("10.0.0." + party + ":" + port).open(party, port);
    }

    /** The started transport's listener: a Netty engine accepts hand-offs on its own event loops. */
    @Override
    public TcpListener listen(InetSocketAddress bind, int backlog) throws IOException {
        return started("the hand-off listener").listen(bind, backlog);
    }

    /** Waits for the transport to start; {@code target} names what it is needed for in the error. */
    private TunnelDialer started(String target) throws ConnectException {
        try {
            return dialer.get(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ConnectException("sfkit-proxy agent: not ready (transport still starting after "
                    + START_WAIT_SECONDS + " s), cannot carry connect to " + target);
        } catch (ExecutionException e) {
            throw new ConnectException("sfkit-proxy agent: not started (" + e.getCause().getMessage()
                    + "), cannot carry connect to " + target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("sfkit-proxy agent: interrupted while waiting for the transport, connect to " + target);
        }
    }

    @Override
    public SocketImpl inMemory(SocketImpl current, InetSocketAddress target) {
        return new StreamSocketImpl(this, current);
    }

    @Override
    public InetSocketAddress redirect(ProtocolFamily family, FileDescriptor fd, InetAddress target, int port)
            throws IOException {
        return handoff().handOff(family, fd, target, port);
    }

    @Override
    public InetSocketAddress redirect(Object nettySocket, InetSocketAddress target) throws IOException {
        return handoff().handOff(nettySocket, target);
    }

    /** Started on first use: a JVM that only uses {@code java.net.Socket} never opens the listener. */
    private synchronized LoopbackHandoff handoff() throws IOException {
        if (handoff == null) {
            handoff = LoopbackHandoff.start(this);
            Runtime.getRuntime().addShutdownHook(new Thread(handoff::close, "sfkit-agent-handoff-shutdown"));
        }
        return handoff;
    }
}
