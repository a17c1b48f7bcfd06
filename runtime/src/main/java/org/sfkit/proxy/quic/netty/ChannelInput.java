package org.sfkit.proxy.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A TCP channel's input as a blocking {@link InputStream}, for an ingress's handshake before the
 * channel is spliced: reads are requested one at a time (auto-read is off), so nothing is read
 * that the handshake did not ask for, and what a read brought beyond it stays for the splice
 * ({@link #handOver}). Handshake messages are a few bytes: they are copied, not passed on.
 */
final class ChannelInput extends InputStream {
    private final Channel channel;
    /** Event loop in, reader out; guarded by this. */
    private final ByteBuf received = Unpooled.buffer();
    private boolean readRequested;
    private boolean ended;
    private IOException failure;
    private long timeoutNanos;
    private boolean handedOver;

    /** Fills the buffer; added to the channel's pipeline before it is registered. */
    final ChannelHandler handler = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                synchronized (ChannelInput.this) {
                    if (!handedOver) {
                        received.writeBytes(buf);
                    }
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            update(() -> readRequested = false);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownEvent.INSTANCE) {
                update(() -> ended = true);
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            update(() -> ended = true);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            update(() -> failure = cause instanceof IOException io ? io : new IOException(cause));
        }
    };

    ChannelInput(Channel channel) {
        this.channel = channel;
    }

    synchronized void setTimeout(Duration timeout) {
        timeoutNanos = timeout.toNanos();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (handedOver || !received.isReadable()) {
            if (handedOver) {
                throw new IOException("the connection is spliced: its bytes go to the stream");
            }
            if (failure != null) {
                throw failure;
            }
            if (ended) {
                return -1;
            }
            if (!readRequested) {
                readRequested = true;
                channel.read();
            }
            awaitUntil(deadline);
        }
        int n = Math.min(len, received.readableBytes());
        received.readBytes(b, off, n);
        if (!received.isReadable()) {
            received.clear(); // a read is requested only when all is read: the buffer holds one read's bytes
        }
        return n;
    }

    private void awaitUntil(long deadline) throws IOException {
        try {
            if (timeoutNanos == 0) {
                wait();
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("read timed out");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from " + channel.remoteAddress());
        }
    }

    /** Ends reading through this stream: returns the bytes received and not read (the caller releases them). */
    synchronized ByteBuf handOver() {
        handedOver = true;
        ByteBuf rest = Unpooled.copiedBuffer(received);
        received.release();
        notifyAll();
        return rest;
    }

    /** Whether the peer's FIN arrived (or the channel closed). */
    synchronized boolean ended() {
        return ended;
    }

    synchronized boolean failed() {
        return failure != null;
    }

    private synchronized void update(Runnable change) {
        change.run();
        notifyAll();
    }
}
