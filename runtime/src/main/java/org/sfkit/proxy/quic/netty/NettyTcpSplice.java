package org.sfkit.proxy.quic.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.TcpSplice;

/**
 * A TCP connection on the event loop of the QUIC stream it carries. Bytes go from one channel to
 * the other on that one thread, as the buffers Netty read them into: no pump threads, no copies,
 * no wake-ups. With blocking pumps every received read batch woke a thread (a few KB each with
 * 8 streams: ~1.4 million context switches per GiB, the proxy's largest cost; docs/findings.md).
 *
 * <p>Back-pressure: the TCP channel stops reading while the stream is not writable (quiche's stream
 * and connection credit used up) and the stream stops reading while the TCP channel is not
 * writable (its outbound buffer above {@link #TCP_WATER_MARK}), so a slow reader on either side
 * slows the writer on the other through QUIC flow control. Close semantics: {@link TcpSplice}.
 */
final class NettyTcpSplice implements TcpSplice {
    private static final Logger LOG = Logger.getLogger(NettyTcpSplice.class.getName());
    /**
     * Bytes queued for a TCP peer that does not keep up before the stream stops reading: 1 MiB
     * rides out a slow reader's pause at a few hundred MB/s, far below the 4 MiB stream window, so
     * the rest waits in the peer's send buffer under QUIC flow control rather than in our memory.
     */
    static final WriteBufferWaterMark TCP_WATER_MARK = new WriteBufferWaterMark(512 << 10, 1 << 20);

    private final NettyQuicStream stream;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private Channel tcp;
    // Event loop only.
    private boolean tcpOutputDone;
    private boolean tcpInputDone;
    private AfterReadBurst flushAfterBurst;

    NettyTcpSplice(NettyQuicStream stream) {
        this.stream = stream;
    }

    @Override
    public void connect(InetSocketAddress target, Duration timeout) throws IOException {
        ChannelFuture connected = new Bootstrap()
                .group(stream.channel().eventLoop())
                .channel(NettyQuicEngine.tcpChannelType())
                .option(ChannelOption.AUTO_READ, false) // nothing is read before start()
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true) // EOF becomes stream FIN, reading goes on
                .option(ChannelOption.TCP_NODELAY, true) // MPC ping-pongs small messages; Nagle would delay them
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TCP_WATER_MARK)
                .handler(new TcpSide())
                .connect(target);
        try {
            connected.await();
        } catch (InterruptedException e) {
            connected.channel().close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + target);
        }
        if (!connected.isSuccess()) {
            // Netty's refusal is a java.net.ConnectException, which callers tell from other failures.
            Throwable cause = connected.cause();
            throw cause instanceof IOException io ? io : new IOException("cannot connect to " + target, cause);
        }
        attach(connected.channel());
    }

    /**
     * Carries {@code stream} over {@code accepted}, a connection of {@link NettyTcpListener} whose
     * handshake read through {@code input}: the channel moves to the stream's event loop (Netty
     * channels may be deregistered and registered again, on another loop of the same transport),
     * then bytes {@code input} received and did not return go first, and an EOF it saw becomes
     * the stream's FIN.
     */
    static CompletableFuture<Void> adopt(Channel accepted, ChannelInput input, NettyQuicStream stream) {
        NettyTcpSplice splice = new NettyTcpSplice(stream);
        EventLoop target = stream.channel().eventLoop();
        if (accepted.eventLoop() == target) {
            target.execute(() -> splice.startAdopted(accepted, input));
        } else {
            accepted.deregister().addListener(deregistered -> target.register(accepted).addListener(registered -> {
                if (registered.isSuccess()) {
                    splice.startAdopted(accepted, input);
                } else {
                    LOG.log(Level.FINE, "cannot move a TCP connection to its stream's event loop", registered.cause());
                    input.handOver().release();
                    stream.reset(StreamErrorCodes.ABORTED);
                    abort(accepted);
                    splice.ended.complete(null);
                }
            }));
        }
        return splice.ended;
    }

    /** The TCP channel this splice carries, connected or accepted. */
    private void attach(Channel channel) {
        tcp = channel;
        flushAfterBurst = new AfterReadBurst(tcp.eventLoop(), tcp::flush);
        tcp.closeFuture().addListener(f -> ended.complete(null));
    }

    /** On the stream's event loop. */
    private void startAdopted(Channel accepted, ChannelInput input) {
        attach(accepted);
        ByteBuf early = input.handOver();
        tcp.pipeline().remove(input.handler);
        if (input.failed() || !tcp.isActive()) { // the client went away while we dialled
            early.release();
            stream.reset(StreamErrorCodes.ABORTED);
            abort(tcp);
            return;
        }
        tcp.pipeline().addLast(new TcpSide());
        if (early.isReadable()) {
            stream.writeSpliced(early);
        } else {
            early.release();
        }
        stream.spliceTo(this);
        if (input.ended()) {
            tcpInputDone = true;
            stream.finishOutput();
        } else {
            tcp.config().setAutoRead(true);
        }
    }

    @Override
    public CompletableFuture<Void> start() {
        // Queued behind the writes the caller made to the stream before (a connect status).
        tcp.eventLoop().execute(() -> {
            stream.spliceTo(this);
            tcp.config().setAutoRead(true);
        });
        return ended;
    }

    @Override
    public void abort() {
        tcp.eventLoop().execute(this::abortTcp);
    }

    // Stream side, called by NettyQuicStream on the event loop.

    void fromStream(ByteBuf buf) {
        tcp.write(buf, tcp.voidPromise()); // a failure reaches TcpSide.exceptionCaught
    }

    /**
     * After a stream read batch; returns whether the stream should go on reading. The TCP write
     * goes out once per read burst ({@link AfterReadBurst}): flushing per batch wrote one QUIC
     * packet's payload per system call and woke the TCP reader as often.
     */
    boolean streamBatchEnded() {
        flushAfterBurst.arm();
        return tcp.isWritable();
    }

    void streamWritabilityChanged(boolean writable) {
        if (writable && !tcpInputDone) {
            tcp.config().setAutoRead(true);
        }
    }

    /** The stream's FIN: the TCP side's FIN after every byte before it. */
    void streamFinished() {
        tcp.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (f.isSuccess() && tcp.isActive()) {
                ((DuplexChannel) tcp).shutdownOutput();
                tcpOutputDone = true;
                closeIfBothDone(tcp);
            }
        });
    }

    /** The stream was reset, its connection ended, or it could not be written: abort the TCP side. */
    void streamAborted() {
        abortTcp();
    }

    private void closeIfBothDone(Channel channel) {
        if (tcpOutputDone && tcpInputDone) {
            channel.close();
        }
    }

    private void abortTcp() {
        abort(tcp);
    }

    /** Closes with an RST (SO_LINGER 0) so the application sees an abort, not a clean EOF. */
    static void abort(Channel tcp) {
        if (tcp.isOpen()) {
            tcp.config().setOption(ChannelOption.SO_LINGER, 0);
            tcp.close();
        }
    }

    /**
     * The TCP channel's handler: bytes and EOF to the stream, errors as a stream reset. It names
     * its channel through {@code ctx}: it is attached before {@link #connect} has stored it.
     */
    private final class TcpSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            stream.writeSpliced((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!stream.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false); // until streamWritabilityChanged
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && stream.channel().isActive()) {
                stream.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownEvent.INSTANCE) {
                tcpInputDone = true;
                ctx.channel().config().setAutoRead(false);
                stream.finishOutput();
                closeIfBothDone(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.FINE, () -> "TCP side of stream " + stream.id() + " failed, resetting the stream: " + cause);
            stream.reset(StreamErrorCodes.ABORTED);
            abort(ctx.channel());
        }
    }
}
