package org.sfkit.proxy.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.zip.CRC32;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.netty.NettyQuicEngine;

/**
 * Path {@code netty-direct}: Netty's QUIC codec with exactly our engine's settings (transport
 * parameters, TLS, GSO, socket buffers, event loops) but plain handlers: the payload is written
 * from the event loop while the stream is writable, and the sink counts on the event loop. No
 * blocking adapters, so it shows what Netty itself does here, the ceiling of the {@code raw} path.
 */
final class NettyDirectFixture implements Fixture {
    private final Channel serverUdp;
    private final Channel clientUdp;
    private final QuicChannel client;
    private ByteBuf payload;

    NettyDirectFixture(NettyQuicEngine engine, BenchIdentities ids) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        QuicSettings settings = QuicSettings.defaults();
        serverUdp = engine.bindUdp(loopback, engine.serverCodec(ids.server(), PinnedTrust.of(ids.client().certificate()), settings)
                .handler(new ChannelInitializer<QuicChannel>() { // sharable: nothing to add per connection
                    @Override
                    protected void initChannel(QuicChannel connection) {
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel stream) {
                        stream.pipeline().addLast(new Service());
                    }
                })
                .build());
        try {
            clientUdp = engine.bindUdp(loopback, engine.clientCodec(ids.client(), PinnedTrust.of(ids.server().certificate()), settings).build());
            client = engine.newClientBootstrap(clientUdp)
                    .handler(new ChannelInboundHandlerAdapter())
                    .streamHandler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(serverUdp.localAddress())
                    .connect()
                    .get(BenchIdentities.HANDSHAKE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    @Override
    public Duplex connect() throws IOException {
        Client handler = new Client();
        try {
            client.createStream(QuicStreamType.BIDIRECTIONAL, handler).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a stream", e);
        }
        return handler;
    }

    /** The payload block in one direct buffer, sliced by every writer (read-only, shared). */
    private synchronized ByteBuf payload(byte[] block) {
        if (payload == null) {
            payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(block.length).writeBytes(block));
        }
        return payload;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (clientUdp != null) {
            clientUdp.close();
        }
        serverUdp.close().syncUninterruptibly();
    }

    /** {@link BenchService}'s modes on the event loop: sink (count, CRC-32) or echo. */
    private static final class Service extends ChannelInboundHandlerAdapter {
        private int mode = -1;
        private long count;
        private final CRC32 crc = new CRC32();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (mode < 0 && in.isReadable()) {
                mode = in.readByte();
            }
            if (mode == BenchService.MODE_ECHO) {
                ctx.write(in);
                return;
            }
            count += in.readableBytes();
            if (mode == BenchService.MODE_SINK_CHECKSUM) {
                crc.update(in.nioBuffer());
            }
            in.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (mode == BenchService.MODE_ECHO) {
                ctx.flush();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownReadComplete.INSTANCE) {
                ByteBuf answer = mode == BenchService.MODE_ECHO ? Unpooled.EMPTY_BUFFER
                        : ctx.alloc().directBuffer(BenchService.SINK_TRAILER_BYTES).writeLong(count)
                                .writeLong(mode == BenchService.MODE_SINK_CHECKSUM ? crc.getValue() : 0);
                ctx.writeAndFlush(new DefaultQuicStreamFrame(answer, true));
            }
        }
    }

    /**
     * The client end of one stream. Throughput: writes slices of the payload while the stream is
     * writable, FIN on the last one, and collects the sink's trailer. Ping-pong: the whole loop
     * runs on the event loop. {@link #out()} only carries the mode byte.
     */
    private final class Client extends ChannelInboundHandlerAdapter implements Duplex {
        private QuicStreamChannel stream;
        // Event loop only:
        private ByteBuf block;
        private long left;
        private long sent;
        private final ByteBuf received = Unpooled.buffer();
        private final CompletableFuture<long[]> trailer = new CompletableFuture<>();
        private long[] samples;
        private int round;
        private long pingStart;
        private CompletableFuture<long[]> pongs;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            stream = (QuicStreamChannel) ctx.channel();
        }

        @Override
        public long[] sink(byte[] data, long bytes, int writeBytes) throws IOException {
            ByteBuf shared = payload(data);
            stream.eventLoop().execute(() -> {
                block = shared;
                left = bytes;
                writeWhileWritable();
            });
            return await(trailer);
        }

        private void writeWhileWritable() {
            while (left > 0 && stream.isWritable()) {
                int offset = (int) (sent % block.capacity());
                int n = (int) Math.min(left, block.capacity() - offset);
                ByteBuf slice = block.retainedSlice(offset, n);
                left -= n;
                sent += n;
                stream.write(left == 0 ? new DefaultQuicStreamFrame(slice, true) : slice);
            }
            stream.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (block != null) {
                writeWhileWritable();
            }
        }

        @Override
        public long[] pingPong(int warmUpCount, int count) throws IOException {
            CompletableFuture<long[]> done = new CompletableFuture<>();
            stream.eventLoop().execute(() -> {
                samples = new long[count];
                round = -warmUpCount;
                pongs = done;
                ping();
            });
            return await(done);
        }

        private void ping() {
            pingStart = System.nanoTime();
            stream.writeAndFlush(stream.alloc().directBuffer(1).writeByte(round & 0x7f));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (pongs == null) {
                received.writeBytes(in);
                in.release();
                return;
            }
            while (in.isReadable()) {
                int pong = in.readByte();
                long rtt = System.nanoTime() - pingStart;
                if (pong != (round & 0x7f)) {
                    pongs.completeExceptionally(new IOException("integrity: echo answered " + pong + " to " + (round & 0x7f)));
                    break;
                }
                if (round >= 0) {
                    samples[round] = rtt;
                }
                if (++round == samples.length) {
                    pongs.complete(samples);
                    stream.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
                } else {
                    ping();
                }
            }
            in.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownReadComplete.INSTANCE && pongs == null) {
                if (received.readableBytes() == BenchService.SINK_TRAILER_BYTES) {
                    trailer.complete(new long[] {received.readLong(), received.readLong()});
                } else {
                    trailer.completeExceptionally(new IOException("stream ended before the sink's byte count arrived"));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            trailer.completeExceptionally(cause);
            if (pongs != null) {
                pongs.completeExceptionally(cause);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IOException closed = new IOException("stream closed");
            trailer.completeExceptionally(closed);
            if (pongs != null) {
                pongs.completeExceptionally(closed);
            }
        }

        private long[] await(CompletableFuture<long[]> result) throws IOException {
            try {
                return result.get(); // the case deadline bounds this (it closes the stream)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        @Override
        public InputStream in() {
            throw new UnsupportedOperationException("netty-direct reads on the event loop");
        }

        /** Only the mode byte goes through here, before the clock starts. */
        @Override
        public OutputStream out() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    stream.writeAndFlush(stream.alloc().directBuffer(1).writeByte(b));
                }
            };
        }

        @Override
        public void finishOutput() {
            stream.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
