package org.sfkit.proxy.agent.pipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * A {@code java.net.Socket} whose connection is a QUIC stream of the agent's transport, in memory:
 * no kernel socket, no loopback hop, no pump threads. The hook at the entry of {@code Socket.connect} puts
 * it in place of the JDK's own implementation just before the connect, so the {@code Socket}
 * itself keeps its state and reports 10.0.0.N:p as its remote address.
 *
 * <p>The dial happens in {@link #connect(SocketAddress, int)}: a refused port, an unknown party
 * or an unreachable peer throw {@link ConnectException} from the application's {@code connect()}.
 * {@code shutdownOutput()} sends FIN; {@code close()} sends FIN after the data written and drops
 * what the peer still sends; {@code SO_TIMEOUT} is honoured by {@link PipeInput}.
 */
public final class StreamSocketImpl extends SocketImpl {
    /** {@code SocketImpl.close()} of the replaced implementation, reached through {@code java.net} opened to the agent. */
    private static final MethodHandle CLOSE_REPLACED;
    /** What {@code getReceiveBufferSize()}/{@code getSendBufferSize()} report: the bridge's buffer size, as a hint. */
    private static final int BUFFER_SIZE_HINT = 64 * 1024;

    static {
        try {
            CLOSE_REPLACED = MethodHandles.privateLookupIn(SocketImpl.class, MethodHandles.lookup())
                    .findVirtual(SocketImpl.class, "close", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TunnelDialer dialer;
    private SocketImpl replaced;
    private final Map<Integer, Object> options = new ConcurrentHashMap<>();
    private volatile QuicStream stream;
    private PipeInput input;
    private OutputStream output;
    private boolean outputShut;
    private boolean closed;

    /** @param replaced the JDK implementation this one stands in for; closed at connect (it may hold a file descriptor) */
    public StreamSocketImpl(TunnelDialer dialer, SocketImpl replaced) {
        this.dialer = dialer;
        this.replaced = replaced;
        options.put(SocketOptions.TCP_NODELAY, Boolean.FALSE);
        options.put(SocketOptions.SO_KEEPALIVE, Boolean.FALSE);
        options.put(SocketOptions.SO_REUSEADDR, Boolean.FALSE);
        options.put(SocketOptions.SO_OOBINLINE, Boolean.FALSE);
        options.put(SocketOptions.IP_TOS, 0);
    }

    @Override
    protected void create(boolean streamSocket) throws IOException {
        if (!streamSocket) {
            throw new SocketException("sfkit-proxy agent: only stream sockets reach party addresses");
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    /** The connect timeout is not applied: the transport bounds its own wait for a peer link. */
    @Override
    protected void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
        InetSocketAddress target = (InetSocketAddress) endpoint;
        closeReplaced();
        byte[] octets = target.getAddress().getAddress();
        int party = octets[octets.length - 1] & 0xff;
        QuicStream opened;
        try {
            opened = dialer.open(party, target.getPort());
        } catch (TunnelException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            ConnectException failure = new ConnectException("sfkit-proxy agent: " + target.getAddress().getHostAddress()
                    + ":" + target.getPort() + " not carried: " + e);
            failure.initCause(e);
            throw failure;
        }
        synchronized (this) {
            stream = opened;
            input = new PipeInput(opened.input());
            input.timeoutMillis((Integer) options.getOrDefault(SocketOptions.SO_TIMEOUT, 0));
            output = opened.output();
            address = target.getAddress();
            port = target.getPort();
        }
        AgentBridge.countCarriedInMemory();
    }

    private void closeReplaced() throws IOException {
        SocketImpl old = replaced;
        replaced = null;
        if (old != null) {
            try {
                CLOSE_REPLACED.invokeExact(old);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        throw new SocketException("sfkit-proxy agent: an in-memory socket cannot be bound");
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("sfkit-proxy agent: an in-memory socket cannot listen");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("sfkit-proxy agent: an in-memory socket cannot accept");
    }

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        connected();
        return input;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        connected();
        return output;
    }

    private void connected() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        if (stream == null) {
            throw new SocketException("Socket is not connected");
        }
    }

    @Override
    protected int available() throws IOException {
        connected();
        return input.available();
    }

    @Override
    protected void shutdownInput() throws IOException {
        connected();
        input.shutdown();
    }

    @Override
    protected synchronized void shutdownOutput() throws IOException {
        connected();
        if (!outputShut) {
            outputShut = true;
            output.close(); // QUIC FIN after every byte written (RFC 9000 section 3.1)
        }
    }

    @Override
    protected void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeReplaced(); // a connect that never happened leaves the JDK's implementation open
        if (stream != null) {
            try {
                if (!outputShut) {
                    outputShut = true;
                    output.close();
                }
            } finally {
                input.shutdown();
            }
        }
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("sfkit-proxy agent: urgent data is not carried");
    }

    @Override
    public void setOption(int optionId, Object value) throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        if (optionId == SocketOptions.SO_TIMEOUT) {
            int millis = (Integer) value;
            PipeInput in = input;
            if (in != null) {
                in.timeoutMillis(millis);
            }
        }
        options.put(optionId, value); // the rest have no meaning for a stream; kept to read back
    }

    @Override
    public Object getOption(int optionId) throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        switch (optionId) {
            case SocketOptions.SO_TIMEOUT:
                return options.getOrDefault(optionId, 0);
            case SocketOptions.SO_BINDADDR:
                return InetAddress.getLoopbackAddress();
            case SocketOptions.SO_RCVBUF:
            case SocketOptions.SO_SNDBUF:
                return options.getOrDefault(optionId, BUFFER_SIZE_HINT);
            case SocketOptions.SO_LINGER:
                return options.getOrDefault(optionId, -1);
            default:
                return options.get(optionId);
        }
    }

    private static final Map<SocketOption<?>, Integer> STANDARD_OPTIONS = Map.of(
            StandardSocketOptions.TCP_NODELAY, SocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, SocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_RCVBUF, SocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, SocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, SocketOptions.SO_LINGER,
            StandardSocketOptions.SO_REUSEADDR, SocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS, SocketOptions.IP_TOS);

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return STANDARD_OPTIONS.keySet();
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        Integer id = STANDARD_OPTIONS.get(name);
        if (id == null) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        setOption(id, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        Integer id = STANDARD_OPTIONS.get(name);
        if (id == null) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        Object value = getOption(id);
        return (T) (value == null && name.type() == Boolean.class ? Boolean.FALSE : value);
    }
}
