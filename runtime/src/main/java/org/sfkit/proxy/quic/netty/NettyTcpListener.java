package org.sfkit.proxy.quic.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.TcpConnection;
import org.sfkit.proxy.quic.TcpListener;

/**
 * A TCP listener on the engine's event loops, so an ingress's connection can be spliced to a
 * {@link NettyQuicStream} on one thread ({@link NettyTcpSplice#adopt}) instead of by two pump
 * threads per connection (the SOCKS ingress's pumps were ~0.75 CPU-s/GiB between two proxy
 * processes, a tenth of the whole). Until then the connection reads and writes through blocking
 * streams: the ingress's handshake code is blocking and runs on a thread of its own.
 */
final class NettyTcpListener implements TcpListener {
    /**
     * Accepted connections until {@link #accept} takes them; an empty entry means closed. Adding
     * and closing hold its lock, so no connection lands behind the closed mark.
     */
    private final BlockingQueue<Optional<NettyTcpConnection>> accepted = new LinkedBlockingQueue<>();
    private boolean closed; // guarded by accepted
    private Channel server;

    private NettyTcpListener() {
    }

    static NettyTcpListener bind(EventLoopGroup group, InetSocketAddress bind, int backlog) throws IOException {
        NettyTcpListener listener = new NettyTcpListener();
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NettyQuicEngine.tcpServerChannelType())
                .option(ChannelOption.SO_BACKLOG, backlog)
                .childOption(ChannelOption.AUTO_READ, false) // the handshake asks for each read
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // EOF becomes stream FIN, writing goes on
                .childOption(ChannelOption.TCP_NODELAY, true) // MPC ping-pongs small messages; Nagle would delay them
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, NettyTcpSplice.TCP_WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        NettyTcpConnection connection = new NettyTcpConnection(channel);
                        channel.pipeline().addLast(connection.input.handler);
                        listener.offer(connection);
                    }
                })
                .bind(bind);
        bound.awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw cause instanceof IOException io ? io : new IOException("cannot listen on " + bind, cause);
        }
        listener.server = bound.channel();
        return listener;
    }

    private void offer(NettyTcpConnection connection) {
        synchronized (accepted) {
            if (closed) {
                connection.close(); // accepted while the listener closed
            } else {
                accepted.add(Optional.of(connection));
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public TcpConnection accept() throws IOException {
        Optional<NettyTcpConnection> next;
        try {
            next = accepted.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while accepting on " + localAddress());
        }
        if (next.isEmpty()) {
            accepted.add(next); // for any other thread blocked in accept()
            throw new SocketException("listener closed");
        }
        return next.get();
    }

    @Override
    public boolean isClosed() {
        return !server.isOpen();
    }

    /** Stops accepting; connections accepted and not taken are closed. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        synchronized (accepted) {
            closed = true;
            Optional<NettyTcpConnection> waiting;
            while ((waiting = accepted.poll()) != null) {
                waiting.ifPresent(NettyTcpConnection::close);
            }
            accepted.add(Optional.empty());
        }
    }

    /** An accepted channel; blocking streams until {@link #spliceNatively}. */
    private static final class NettyTcpConnection implements TcpConnection {
        private final Channel channel;
        private final ChannelInput input;
        private final OutputStream output = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                await(channel.writeAndFlush(Unpooled.copiedBuffer(b, off, len)), "write");
            }
        };

        NettyTcpConnection(Channel channel) {
            this.channel = channel;
            this.input = new ChannelInput(channel);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return (InetSocketAddress) channel.remoteAddress();
        }

        @Override
        public InputStream input() {
            return input;
        }

        @Override
        public OutputStream output() {
            return output;
        }

        @Override
        public void setReadTimeout(Duration timeout) {
            input.setTimeout(timeout);
        }

        @Override
        public void shutdownOutput() throws IOException {
            await(((DuplexChannel) channel).shutdownOutput(), "shutdownOutput");
        }

        @Override
        public void abort() {
            NettyTcpSplice.abort(channel);
        }

        @Override
        public void close() {
            channel.close();
        }

        @Override
        public Optional<CompletableFuture<Void>> spliceNatively(QuicStream stream) {
            return stream instanceof NettyQuicStream netty
                    ? Optional.of(NettyTcpSplice.adopt(channel, input, netty))
                    : Optional.empty();
        }

        private void await(Future<?> operation, String what) throws IOException {
            try {
                operation.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted in " + what + " to " + channel.remoteAddress());
            }
            if (!operation.isSuccess()) {
                Throwable cause = operation.cause();
                throw cause instanceof IOException io ? io : new IOException(what + " failed", cause);
            }
        }
    }
}
