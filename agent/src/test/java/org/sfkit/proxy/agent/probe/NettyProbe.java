package org.sfkit.proxy.agent.probe;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Netty client (NIO or native epoll) that sends "ping" and waits for the echo. */
final class NettyProbe {
    private NettyProbe() {
    }

    static String exchange(InetSocketAddress target, boolean epoll) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        CompletableFuture<String> echoed = new CompletableFuture<>();
        try {
            new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        private final StringBuilder received = new StringBuilder();

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            received.append(buf.toString(StandardCharsets.US_ASCII));
                            buf.release();
                            if (received.length() >= 4) {
                                echoed.complete(received + " via " + ctx.channel().remoteAddress());
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            echoed.completeExceptionally(cause);
                        }
                    })
                    .connect(target)
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            echoed.completeExceptionally(f.cause());
                        }
                    });
            String result = echoed.get(60, TimeUnit.SECONDS);
            if (!result.startsWith("ping")) {
                throw new IllegalStateException("echo mismatch: " + result);
            }
            return result.substring("ping via ".length());
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}
