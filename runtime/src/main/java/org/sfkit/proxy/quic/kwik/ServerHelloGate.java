package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import tech.kwik.core.QuicClientConnection;

/**
 * The client's socket as kwik sees it, holding back received datagrams until kwik's TLS engine
 * waits for the ServerHello.
 *
 * <p>agent15 3.1 ({@code TlsClientEngineImpl.startHandshake}) hands the ClientHello to kwik's
 * sender <em>before</em> it sets {@code status = WaitServerHello} (a plain field), and
 * {@code received(ServerHello)} returns without a word when the status is not yet
 * {@code WaitServerHello}. On loopback the server answers in well under a millisecond, so kwik's
 * receive loop sometimes processes the ServerHello first: it is dropped, yet its Initial packet
 * is acknowledged, so the server never sends it again; kwik never gets handshake keys, discards
 * every Handshake packet ("keys not installed") and the connect times out (2 of 150 handshakes to
 * a Netty server in one run). kwik calls only {@code send}, {@code receive}, {@code close},
 * {@code getLocalSocketAddress} and {@code getReceiveBufferSize} on its socket (field notes).
 */
final class ServerHelloGate extends DatagramSocket {
    /** Longest a datagram waits for the gate (the connecting thread only has to run a few instructions). */
    private static final long MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final VarHandle TLS_ENGINE;
    /** agent15's status before startHandshake has finished. */
    private static final String INITIAL_STATUS = "Start";

    static {
        VarHandle engine = null;
        try {
            Class<?> impl = Class.forName("tech.kwik.core.impl.QuicClientConnectionImpl", false,
                    QuicClientConnection.class.getClassLoader());
            engine = MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
                    .findVarHandle(impl, "tlsEngine", Class.forName("tech.kwik.agent15.engine.TlsClientEngine", false,
                            impl.getClassLoader()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not kwik 0.10.8: the gate stays open (the race is back, nothing else changes)
        }
        TLS_ENGINE = engine;
    }

    private final DatagramSocket inner;
    private volatile QuicClientConnection connection;
    private volatile VarHandle status;
    private volatile boolean open;

    ServerHelloGate(DatagramSocket inner) throws SocketException {
        super((SocketAddress) null); // unbound: never does I/O itself
        this.inner = inner;
        this.open = TLS_ENGINE == null;
    }

    /** The connection whose TLS engine the gate watches; until then nothing is let through. */
    void watch(QuicClientConnection kwik) {
        connection = kwik;
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
        inner.receive(packet);
        if (!open) {
            long deadline = System.nanoTime() + MAX_HOLD_NANOS;
            while (!handshakeStarted() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(50_000);
            }
            open = true;
        }
    }

    private boolean handshakeStarted() {
        QuicClientConnection kwik = connection;
        if (kwik == null) {
            return false;
        }
        try {
            Object engine = TLS_ENGINE.get(kwik);
            VarHandle s = status;
            if (s == null) {
                s = MethodHandles.privateLookupIn(engine.getClass(), MethodHandles.lookup())
                        .findVarHandle(engine.getClass(), "status",
                                Class.forName(engine.getClass().getName() + "$Status", false, engine.getClass().getClassLoader()));
                status = s;
            }
            Object current = s.getAcquire(engine);
            return current != null && !((Enum<?>) current).name().equals(INITIAL_STATUS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // another agent15: do not hold anything back
        }
    }

    @Override
    public void send(DatagramPacket packet) throws IOException {
        inner.send(packet);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return inner.getLocalSocketAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return inner.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
        return inner.getLocalPort();
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return inner.getReceiveBufferSize();
    }

    @Override
    public void close() {
        inner.close();
        super.close();
    }

    @Override
    public boolean isClosed() {
        return inner.isClosed();
    }
}
