package org.sfkit.proxy.quic.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelBootstrap;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicCongestionControlAlgorithm;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.sfkit.proxy.quic.ForeignDatagrams;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.SharedUdpSocket;
import org.sfkit.proxy.quic.TcpListener;
import org.sfkit.proxy.quic.TlsIdentity;

/**
 * {@link QuicEngine} on Netty's native QUIC (quiche + BoringSSL). One event loop group per engine
 * (daemon threads); each listener or client connection owns one UDP channel on it. Epoll with UDP
 * GSO where available, NIO otherwise.
 */
public final class NettyQuicEngine implements QuicEngine, AutoCloseable {
    /** Netty's leak detection switch (ResourceLeakDetector reads it). */
    private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    static {
        // Netty logs through java.util.logging: no logging framework on the class path.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        // Netty samples one buffer in 128 for leak reports, each with a stack trace: with a
        // buffer per packet that was ~60k stack traces per GiB (JFR exception events).
        // Off unless asked for (the property name is relocated with Netty in the shaded jar).
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /**
     * UDP socket buffers: at ~300 MB/s a 4 MiB buffer holds ~13 ms of traffic, enough to ride out
     * an event loop pause without drops (the kernel default ~200 KiB holds <1 ms).
     */
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /** Packets per GSO send: +35-50 % throughput and -25 % CPU measured; 64 failed (field notes). */
    private static final int GSO_SEGMENTS = 16;
    /**
     * Largest UDP payload we send. quiche's default 1200 is the QUIC minimum; 1350 (Chrome's and
     * Cloudflare's choice) still fits IPv6 through common tunnels (WireGuard's 1420-byte MTU) and
     * makes 11 % fewer packets per byte; per-packet work dominates the engine's CPU time. quiche
     * here does no path MTU discovery, so anything larger could black-hole on a smaller path.
     */
    private static final int MAX_SEND_UDP_PAYLOAD = 1350;
    /**
     * Largest UDP payload we accept, announced to peers (max_udp_payload_size, RFC 9000 section
     * 18.2): an Ethernet MTU's worth covers quic-go (up to 1452 after its path MTU discovery),
     * kwik and us.
     */
    private static final int MAX_RECV_UDP_PAYLOAD = 1500;
    /**
     * Bytes per datagram slot of a {@link #RECEIVE_BATCH} read: Netty's own default, above
     * {@link #MAX_RECV_UDP_PAYLOAD} because STUN sharing the socket follows no QUIC limit and a
     * datagram larger than its slot is cut silently.
     */
    private static final int RECEIVE_SLOT = 2048;
    /** Datagrams read per recvmmsg call (epoll): one system call instead of one per packet. */
    private static final int RECEIVE_BATCH = 16;
    /** Datagram queues: we only send one-byte keep-alives and drop what arrives. */
    private static final int DATAGRAM_QUEUE = 16;
    /** Closing waits this long for CONNECTION_CLOSE frames to leave before the socket closes. */
    private static final long CLOSE_GRACE_MILLIS = 1000;

    /**
     * Bootstrap insists on a handler; {@link #serve} and {@link #dial} add the codec once the
     * channel is bound. This one removes itself at registration, so no datagram passes through it.
     */
    private static final ChannelHandler NO_HANDLER_YET = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel channel) {
        }
    };

    private final EventLoopGroup group;
    private final boolean epoll;

    public NettyQuicEngine() {
        epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? new KeepEpollRegistration(EpollIoHandler.newFactory()) : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("sfkit-quic", true), io);
    }

    /** TCP channels that can live on this engine's event loops (a stream's TCP splice). */
    static Class<? extends SocketChannel> tcpChannelType() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The listening twin of {@link #tcpChannelType()}. */
    static Class<? extends ServerSocketChannel> tcpServerChannelType() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Whether the native QUIC library loads on this machine. */
    public static boolean isAvailable() {
        return Quic.isAvailable();
    }

    /** Why {@link #isAvailable()} is false, or {@code null}. */
    public static Throwable unavailabilityCause() {
        return Quic.unavailabilityCause();
    }

    @Override
    public String name() {
        return "netty";
    }

    @Override
    public QuicListener listen(InetSocketAddress bind, TlsIdentity identity, PinnedTrust trustedClients,
                               QuicSettings settings, Consumer<QuicConnection> onConnection) throws IOException {
        return serve(bindUdp(bind, NO_HANDLER_YET), identity, trustedClients, settings, onConnection);
    }

    /** Adds the QUIC server codec to a bound UDP channel (ours, or a {@link NettySharedSocket}'s). */
    QuicListener serve(Channel udp, TlsIdentity identity, PinnedTrust trustedClients,
                       QuicSettings settings, Consumer<QuicConnection> onConnection) {
        Set<NettyQuicConnection> accepted = ConcurrentHashMap.newKeySet();
        QuicServerCodecBuilder codec = serverCodec(identity, trustedClients, settings)
                // A fresh connection handler per accepted connection: it is not @Sharable, and
                // reusing one instance made every connection after the first fail its handshake.
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel quic) {
                        quic.pipeline().addLast(NettyQuicConnection.handler(settings.handshakeTimeout(), settings.keepAlive(), c -> {
                            accepted.add(c);
                            c.closeFuture().thenRun(() -> accepted.remove(c));
                            onConnection.accept(c);
                        }, () -> { }));
                    }
                })
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamHandler(NettyQuicConnection.peerStreamInitializer());
        udp.pipeline().addLast(codec.build());
        return new QuicListener() {
            @Override
            public InetSocketAddress localAddress() {
                return (InetSocketAddress) udp.localAddress();
            }

            @Override
            public void close() {
                CompletableFuture<?>[] closing = accepted.stream()
                        .peek(NettyQuicConnection::close)
                        .map(NettyQuicConnection::closeFuture)
                        .toArray(CompletableFuture[]::new);
                CompletableFuture.allOf(closing)
                        .completeOnTimeout(null, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS)
                        .thenRun(udp::close)
                        .join();
            }
        };
    }

    @Override
    public QuicConnection connect(InetSocketAddress bind, InetSocketAddress remote, TlsIdentity identity,
                                  PinnedTrust trustedServer, QuicSettings settings, Duration timeout)
            throws IOException {
        return dial(bindUdp(bind, NO_HANDLER_YET), remote, identity, trustedServer, settings, timeout);
    }

    /** Connects over a bound UDP channel (ours, or a {@link NettySharedSocket}'s); a failure closes it. */
    QuicConnection dial(Channel udp, InetSocketAddress remote, TlsIdentity identity,
                        PinnedTrust trustedServer, QuicSettings settings, Duration timeout) throws IOException {
        // No hostname check beyond pinning, and no SNI: the engine gets no peer host (the Go
        // client sends none either; spec section 6).
        udp.pipeline().addLast(clientCodec(identity, trustedServer, settings).build());
        CompletableFuture<NettyQuicConnection> established = new CompletableFuture<>();
        var quic = newClientBootstrap(udp)
                .handler(NettyQuicConnection.handler(settings.handshakeTimeout(), settings.keepAlive(),
                        established::complete, udp::close))
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamHandler(NettyQuicConnection.peerStreamInitializer())
                .remoteAddress(remote);
        quic.connect().addListener(f -> {
            if (!f.isSuccess()) {
                established.completeExceptionally(f.cause());
            }
        });
        try {
            return established.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            udp.close();
            throw new SocketTimeoutException("QUIC handshake with " + remote + " did not finish within " + timeout);
        } catch (InterruptedException e) {
            udp.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + remote);
        } catch (ExecutionException e) {
            udp.close();
            Throwable cause = e.getCause();
            if (cause instanceof SSLException) {
                throw new IOException("TLS handshake with " + remote + " failed (certificate not the pinned one, "
                        + "or no common ALPN/cipher): " + cause.getMessage(), cause);
            }
            throw new IOException("QUIC connect to " + remote + " failed: " + cause, cause);
        }
    }

    /**
     * The server codec with our transport parameters, TLS (client certificates required and pinned)
     * and UDP GSO; the caller adds the connection and stream handlers. Public so the benchmark can
     * measure Netty itself with exactly these settings.
     */
    public QuicServerCodecBuilder serverCodec(TlsIdentity identity, PinnedTrust trustedClients, QuicSettings settings) {
        QuicSslContext tls = QuicSslContextBuilder.forServer(identity.privateKey(), null, identity.certificate())
                .trustManager(trustedClients.trustManager())
                .clientAuth(ClientAuth.REQUIRE)
                .applicationProtocols(QuicSettings.ALPN)
                .build();
        QuicServerCodecBuilder codec = transport(new QuicServerCodecBuilder(), settings, tls)
                .tokenHandler(NoRetryTokenHandler.INSTANCE);
        if (epoll) {
            codec.option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(GSO_SEGMENTS));
        }
        return codec;
    }

    /** The client codec with our transport parameters and TLS (server pinned); see {@link #serverCodec}. */
    public QuicClientCodecBuilder clientCodec(TlsIdentity identity, PinnedTrust trustedServer, QuicSettings settings) {
        QuicSslContext tls = QuicSslContextBuilder.forClient()
                .keyManager(identity.privateKey(), null, identity.certificate())
                .trustManager(trustedServer.trustManager())
                .applicationProtocols(QuicSettings.ALPN)
                .build();
        return transport(new QuicClientCodecBuilder(), settings, tls);
    }

    /** A client connection bootstrap on a channel bound with {@link #clientCodec}, with UDP GSO where available. */
    public QuicChannelBootstrap newClientBootstrap(Channel udp) {
        QuicChannelBootstrap quic = QuicChannel.newBootstrap(udp);
        if (epoll) {
            quic.option(QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, EpollQuicUtils.newSegmentedAllocator(GSO_SEGMENTS));
        }
        return quic;
    }

    /** Transport parameters and TLS shared by both roles. */
    private static <B extends QuicCodecBuilder<B>> B transport(B builder, QuicSettings settings, QuicSslContext tls) {
        return builder
                // newEngine without a peer host: no SNI and no hostname verification.
                .sslEngineProvider(q -> tls.newEngine(q.alloc()))
                .maxIdleTimeout(settings.maxIdle().toMillis(), TimeUnit.MILLISECONDS)
                .maxSendUdpPayloadSize(MAX_SEND_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(MAX_RECV_UDP_PAYLOAD)
                // Netty's defaults are 0: nothing could be sent at all.
                .initialMaxData(settings.connectionWindow())
                .initialMaxStreamDataBidirectionalLocal(settings.streamWindow())
                .initialMaxStreamDataBidirectionalRemote(settings.streamWindow())
                .initialMaxStreamsBidirectional(settings.maxPeerStreams())
                // The wire protocol uses bidirectional streams only (spec section 7).
                .initialMaxStreamsUnidirectional(0)
                // BBR: no loss on loopback where CUBIC and Reno lost thousands of packets (field notes).
                .congestionControlAlgorithm(QuicCongestionControlAlgorithm.BBR)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE);
    }

    @Override
    public SharedUdpSocket bindShared(InetSocketAddress bind, ForeignDatagrams foreign) throws IOException {
        return new NettySharedSocket(this, bindUdp(bind, new ForeignDatagramHandler(foreign)));
    }

    /**
     * A UDP channel on this engine's event loops with our socket buffers and {@code first} in its
     * pipeline (the QUIC codec itself, or a handler the codec is added after). Public so the
     * benchmark can measure Netty itself with exactly these settings.
     */
    public Channel bindUdp(InetSocketAddress bind, ChannelHandler first) throws IOException {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .handler(first);
        if (epoll) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, RECEIVE_SLOT)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_SLOT * RECEIVE_BATCH));
        }
        try {
            return bootstrap.bind(bind).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while binding " + bind);
        } catch (Exception e) {
            // sync() rethrows the bind failure (e.g. BindException) as is.
            throw e instanceof IOException io ? io : new IOException("cannot bind UDP " + bind, e);
        }
    }

    @Override
    public TcpListener listenTcp(InetSocketAddress bind, int backlog) throws IOException {
        return NettyTcpListener.bind(group, bind, backlog);
    }

    /** Stops the event loops; close listeners and connections first. */
    @Override
    public void close() {
        group.shutdownGracefully(0, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
