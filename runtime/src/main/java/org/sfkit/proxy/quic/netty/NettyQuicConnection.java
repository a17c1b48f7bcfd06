package org.sfkit.proxy.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamLimitChangedEvent;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicStream;

/** A {@link QuicChannel} behind the engine-neutral {@link QuicConnection}. */
final class NettyQuicConnection implements QuicConnection {
    private static final Logger LOG = Logger.getLogger(NettyQuicConnection.class.getName());
    private static final AttributeKey<NettyQuicConnection> CONNECTION = AttributeKey.valueOf(NettyQuicConnection.class, "connection");

    /** Set once the node knows the peer accepts datagrams; see {@link #useDatagramKeepAlives}. */
    private volatile boolean datagramKeepAlives;
    private final QuicChannel channel;
    private final X509Certificate peerCertificate;
    private final InetSocketAddress remoteAddress;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    // Peer streams that arrived before a handler was set (bounded by our stream limit).
    private final ArrayDeque<QuicStream> unclaimed = new ArrayDeque<>();
    private Consumer<QuicStream> peerStreamHandler;
    // Event loop only: openStream calls waiting for the peer to allow another stream.
    private final ArrayDeque<CompletableFuture<QuicStream>> waitingForCredit = new ArrayDeque<>();

    private NettyQuicConnection(QuicChannel channel) {
        this.channel = channel;
        this.peerCertificate = peerCertificate(channel);
        this.remoteAddress = (InetSocketAddress) channel.remoteSocketAddress();
    }

    private static X509Certificate peerCertificate(QuicChannel channel) {
        try {
            Certificate[] chain = channel.sslEngine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /**
     * The handler of every {@link QuicChannel}: builds the connection once the handshake is done
     * (for a server, that includes checking the client's certificate), sends keep-alives, closes
     * a handshake that does not finish in time.
     *
     * @param onEstablished gets the connection on the event loop
     * @param onClosed runs once the QUIC connection is gone (a client closes its UDP socket there)
     */
    static ChannelHandler handler(Duration handshakeTimeout, Duration keepAlive,
                                  Consumer<NettyQuicConnection> onEstablished, Runnable onClosed) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.channel().closeFuture().addListener(f -> {
                    NettyQuicConnection c = ctx.channel().attr(CONNECTION).get();
                    if (c != null) {
                        c.closedOnEventLoop();
                    }
                    onClosed.run();
                });
                // The Go peer gives up a handshake after 30 s of silence (spec section 6); we do
                // the same rather than keep a half-open handshake for the 24 h idle timeout.
                ctx.executor().schedule(() -> {
                    if (!ctx.channel().isActive()) {
                        ctx.channel().close();
                    }
                }, handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                QuicChannel quic = (QuicChannel) ctx.channel();
                NettyQuicConnection c = new NettyQuicConnection(quic);
                quic.attr(CONNECTION).set(c);
                if (!keepAlive.isZero()) {
                    var pings = ctx.executor().scheduleAtFixedRate(c::sendKeepAlive, keepAlive.toMillis(),
                            keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                    quic.closeFuture().addListener(f -> pings.cancel(false));
                }
                onEstablished.accept(c);
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf datagram) {
                    datagram.release(); // a peer's keep-alive: nothing to do
                } else {
                    ctx.fireChannelRead(msg); // a new peer stream, for Netty's stream acceptor
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                NettyQuicConnection c = ctx.channel().attr(CONNECTION).get();
                if (c != null && event instanceof QuicStreamLimitChangedEvent) {
                    c.openWaiting();
                }
                ctx.fireUserEventTriggered(event);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.log(Level.FINE, "QUIC connection error", cause);
            }
        };
    }

    /** The handler Netty puts on every stream the peer opens. */
    static ChannelHandler peerStreamInitializer() {
        return new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                // Bidirectional only: we allow the peer no unidirectional stream (spec section 7).
                stream.parent().attr(CONNECTION).get().peerStreamArrived(new NettyQuicStream(stream));
            }
        };
    }

    /**
     * Keep-alive: Netty 4.2.18 exposes no PING (quiche's {@code send_ack_eliciting} has no JNI
     * binding), so we send a one-byte DATAGRAM frame (RFC 9221), which is ack-eliciting like PING
     * (RFC 9221 section 5.2): it restarts the peer's idle timer on receipt and ours on its ACK
     * (RFC 9000 section 10.1), and refreshes NAT bindings. Tested: a connection with a 1.5 s idle
     * timeout stays up for three idle periods on keep-alives alone. Sent only once the node said
     * the peer is ours ({@link #useDatagramKeepAlives}): to a peer that did not negotiate datagrams
     * the first one closed the whole connection (Netty closes it when quiche refuses the send;
     * Netty 4.2.18 reports every peer's max_datagram_frame_size as 0, so we cannot ask). Go peers
     * ping us themselves (every 15 s, spec section 6).
     */
    private void sendKeepAlive() {
        if (channel.isActive() && datagramKeepAlives) {
            channel.writeAndFlush(channel.alloc().directBuffer(1).writeByte(0));
        }
    }

    @Override
    public void useDatagramKeepAlives() {
        datagramKeepAlives = true;
    }



    private void peerStreamArrived(QuicStream stream) {
        Consumer<QuicStream> handler;
        synchronized (this) {
            handler = peerStreamHandler;
            if (handler == null) {
                unclaimed.add(stream);
                return;
            }
        }
        handler.accept(stream);
    }

    @Override
    public void onPeerStream(Consumer<QuicStream> handler) {
        List<QuicStream> held;
        synchronized (this) {
            peerStreamHandler = handler;
            held = new ArrayList<>(unclaimed);
            unclaimed.clear();
        }
        if (!held.isEmpty()) {
            channel.eventLoop().execute(() -> held.forEach(handler));
        }
    }

    @Override
    public QuicStream openStream() throws IOException {
        CompletableFuture<QuicStream> opened = new CompletableFuture<>();
        channel.eventLoop().execute(() -> open(opened));
        try {
            return opened.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opened.cancel(false);
            throw new InterruptedIOException("interrupted while opening a QUIC stream");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("cannot open a QUIC stream", e.getCause());
        }
    }

    private void open(CompletableFuture<QuicStream> opened) {
        if (opened.isDone()) {
            return; // cancelled by an interrupted caller
        }
        if (!channel.isActive()) {
            opened.completeExceptionally(new IOException("QUIC connection to " + remoteAddress + " is closed"));
            return;
        }
        // Netty burns a stream id when creation fails for lack of credit, so never try without it.
        if (channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) <= 0) {
            waitingForCredit.add(opened);
            return;
        }
        var created = channel.createStream(QuicStreamType.BIDIRECTIONAL, null);
        // On the event loop, Netty registers the stream channel inline: the future is done.
        if (!created.isSuccess()) {
            opened.completeExceptionally(new IOException("cannot open a QUIC stream", created.cause()));
            return;
        }
        QuicStreamChannel stream = created.getNow();
        stream.config().setAutoRead(false);
        opened.complete(new NettyQuicStream(stream));
    }

    private void openWaiting() {
        while (!waitingForCredit.isEmpty() && channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0) {
            open(waitingForCredit.poll());
        }
    }

    private void closedOnEventLoop() {
        IOException gone = new IOException("QUIC connection to " + remoteAddress + " closed");
        while (!waitingForCredit.isEmpty()) {
            waitingForCredit.poll().completeExceptionally(gone);
        }
        closed.complete(null);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public X509Certificate peerCertificate() {
        return peerCertificate;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone() && channel.isActive();
    }

    /** Closes with application error 0 (no error; RFC 9000 section 10.2). */
    @Override
    public void close() {
        channel.close(true, 0, Unpooled.EMPTY_BUFFER);
    }

    QuicChannel channel() {
        return channel;
    }
}
