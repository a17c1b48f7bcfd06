package org.sfkit.proxy.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;
import org.sfkit.proxy.quic.TcpSplice;

/**
 * A {@link QuicStreamChannel} seen as blocking byte streams. The channel runs with auto-read off:
 * the reader asks for more only while its queue is short, so an application that stops reading
 * stops the peer through QUIC flow control instead of filling memory. Writers block while too many
 * bytes wait for quiche to take them.
 */
final class NettyQuicStream implements QuicStream {
    /**
     * Stop asking the channel for data once this much waits for the reader: a quarter of the
     * default 4 MiB stream window, so the peer keeps sending while the reader drains the rest.
     */
    private static final int INPUT_PAUSE_BYTES = 1 << 20;
    /** Ask again below this, so a reader taking small bites does not cause one read() per bite. */
    private static final int INPUT_RESUME_BYTES = INPUT_PAUSE_BYTES / 2;
    /** First ring of a stream that receives: small, as most tunnels carry little; it doubles as needed. */
    private static final int INITIAL_RING_BYTES = 16 << 10;
    private static final byte[] EMPTY = new byte[0];
    /**
     * Bytes written but not yet taken by quiche (which itself holds at most the peer's window).
     * 1 MiB keeps the event loop busy between two writer wake-ups at several hundred MB/s.
     */
    private static final int OUTPUT_PENDING_LIMIT = 1 << 20;
    /** Largest single buffer a write is cut into, so one huge write cannot overshoot the limit by much. */
    private static final int OUTPUT_CHUNK = 256 << 10;
    /**
     * How long a byte held back after the peer's FIN (see {@code Output}) waits for a next write or
     * close before it goes out alone: long against the RTT, so that the stream's data is normally
     * acked before a later close() writes a FIN without data, which quiche then keeps until sent.
     */
    private static final long HELD_BYTE_RELEASE_MS = 20;

    /** quiche's STREAM_RESET error reaches Java only as this message (QuicheError is not public). */
    private static final String QUICHE_STREAM_RESET = "STREAM_RESET";
    /** quiche's STREAM_STOPPED (peer sent STOP_SENDING) reaches writers with this message. */
    private static final String QUICHE_STOP_SENDING = "STOP_SENDING";

    private final QuicStreamChannel channel;
    private final Input input;
    private final Output output = new Output();
    // Event loop only. Netty frees the channel after FIN both ways; a reset or failed direction
    // must be counted here or the channel would stay in its connection's map until it closes.
    private boolean inputEnded;
    private boolean outputEnded;
    /** Event loop only: the TCP connection this stream is spliced to; null while read through {@link #input}. */
    private NettyTcpSplice splice;

    NettyQuicStream(QuicStreamChannel channel) {
        this.channel = channel;
        this.input = new Input(); // after the channel: it wakes its reader on the channel's event loop
        channel.pipeline().addLast(new Handler());
    }

    @Override
    public long id() {
        return channel.streamId();
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    /** Netty splices on the stream's own event loop: no pump threads, no copies (see {@link NettyTcpSplice}). */
    @Override
    public Optional<TcpSplice> nativeTcpSplice() {
        return Optional.of(new NettyTcpSplice(this));
    }

    QuicStreamChannel channel() {
        return channel;
    }

    /**
     * Event loop: from now on received bytes go to {@code to} as they arrive; what the blocking
     * {@link #input} still held goes first. Reading through {@link #input} ends here.
     */
    void spliceTo(NettyTcpSplice to) {
        splice = to;
        // A byte the blocking output held back (a connect status written after the peer's FIN) goes
        // before anything the TCP side writes from now on.
        output.releaseHeldNow();
        ByteBuf held = input.handOver();
        if (held.isReadable()) {
            to.fromStream(held);
        } else {
            held.release();
        }
        if (input.failed()) {
            to.streamAborted(); // reset by the peer, or the connection ended
        } else if (inputEnded) {
            to.streamFinished();
        } else {
            to.streamBatchEnded();
            channel.config().setAutoRead(true); // the blocking input may have paused reading
        }
    }

    /**
     * Event loop: the spliced TCP side's FIN, sent after every byte written before it and with the
     * byte held back, if any ({@code Output}: quiche#2525).
     */
    void finishOutput() {
        try {
            output.close();
        } catch (IOException alreadyFailed) {
            // The failure aborted the TCP side when it happened (writeFailed, peerAborted, channelInactive).
        }
    }

    /** Event loop: a read of the spliced TCP side, handed to quiche as it is (but see {@code Output}). */
    void writeSpliced(ByteBuf buf) {
        output.writeSpliced(buf);
    }

    @Override
    public void reset(long errorCode) {
        int code = (int) errorCode; // Netty carries codes as int; ours (StreamErrorCodes) are small
        IOException local = new IOException("stream was reset locally: code " + errorCode);
        input.fail(local);
        output.fail(local);
        // RESET_STREAM and STOP_SENDING with the code (RFC 9000 sections 19.4, 19.5), then free
        // the channel: both directions are finished.
        channel.eventLoop().execute(() -> channel.shutdown(code).addListener(f -> channel.close()));
    }

    /**
     * The peer aborted a direction (event loop). Its code is unknown: Netty 4.2.18's JNI wrapper of
     * {@code quiche_conn_stream_recv} discards quiche's {@code out_error_code}, so a reset reaches
     * Java only as "STREAM_RESET"; we report {@link StreamErrorCodes#ABORTED}. Nothing depends on
     * the code: a tunnel's connect status travels in-band ({@code tunnel.ConnectStatus}). A reset of the peer's
     * sending direction ends ours too: quiche frees a stream once RESET_STREAM and STOP_SENDING
     * are both in, and writes still queued in Netty would then never complete (a writer blocked
     * forever). Our peers reset both directions anyway ({@link #reset}).
     */
    private void peerAborted(Direction direction) {
        StreamResetException reset = new StreamResetException(StreamErrorCodes.ABORTED);
        direction.fail(reset);
        if (direction == input) {
            output.fail(reset);
            inputEnded();
            outputEnded(); // closing fails the queued writes, which frees blocked writers
        } else {
            outputEnded();
        }
    }

    private void inputEnded() {
        inputEnded = true;
        closeIfBothEnded();
    }

    private void outputEnded() {
        outputEnded = true;
        closeIfBothEnded();
    }

    private void closeIfBothEnded() {
        if (inputEnded && outputEnded) {
            channel.close();
        }
    }

    private interface Direction {
        void fail(IOException cause);
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Streams are created with auto-read off so no byte arrives before this handler; from
            // here on auto-read stays on while the reader keeps up: Netty then takes up to 16
            // buffers per readable event and sends one window update for all of them, where one
            // read() per buffer made it answer every buffer with its own packet.
            ctx.channel().config().setAutoRead(true);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (splice != null) {
                splice.fromStream((ByteBuf) msg);
            } else {
                input.arrived((ByteBuf) msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            boolean goOn = splice != null ? splice.streamBatchEnded() : input.batchEnded();
            if (!goOn) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (splice != null) {
                splice.streamWritabilityChanged(ctx.channel().isWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ChannelInputShutdownReadComplete.INSTANCE) {
                input.finished();
                inputEnded();
                if (splice != null) {
                    splice.streamFinished();
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof QuicException && QUICHE_STREAM_RESET.equals(cause.getMessage())) {
                peerAborted(input);
            } else {
                input.fail(new IOException("stream failed: " + cause, cause));
            }
            if (splice != null) {
                splice.streamAborted();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IOException closed = new IOException("stream closed: the QUIC connection ended");
            input.fail(closed);
            output.fail(closed);
            // After FIN both ways (we closed the channel) the TCP side still delivers what it
            // holds to a slow reader and closes itself: aborting it here lost those bytes. Every
            // other way both directions end has aborted the splice already.
            if (splice != null && !(inputEnded && outputEnded)) {
                splice.streamAborted();
            }
        }
    }

    /**
     * Received bytes not yet read, -1 after FIN, an exception after a reset. The event loop copies
     * each buffer into a ring and releases it at once: released by the reader thread instead,
     * Netty's pooled buffers went through a contended cross-thread recycler queue, the reader's
     * top hotspot (JFR). The reader is woken once per read batch, not once per packet.
     */
    private final class Input extends InputStream implements Direction {
        private byte[] ring = EMPTY;
        private int head;
        private int size;
        private boolean readPaused;
        private boolean readerWaiting;
        private final AfterReadBurst wakeAfterBurst = new AfterReadBurst(channel.eventLoop(), this::wakeReader);
        private boolean finished;
        private IOException failure;
        private boolean closed;

        /** Event loop: one buffer of a read batch. */
        void arrived(ByteBuf buf) {
            try {
                synchronized (this) {
                    if (!closed && failure == null) {
                        append(buf);
                    }
                }
            } finally {
                buf.release();
            }
        }

        private void append(ByteBuf buf) {
            int n = buf.readableBytes();
            if (n == 0) {
                return;
            }
            if (size + n > ring.length) {
                grow(size + n);
            }
            int tail = (head + size) % ring.length;
            int first = Math.min(n, ring.length - tail);
            buf.readBytes(ring, tail, first);
            buf.readBytes(ring, 0, n - first);
            size += n;
        }

        /** Doubles the ring (bounded: reading pauses at {@link #INPUT_PAUSE_BYTES} plus one read batch). */
        private void grow(int needed) {
            byte[] bigger = new byte[Math.max(needed, Math.max(INITIAL_RING_BYTES, ring.length * 2))];
            int first = Math.min(size, ring.length - head);
            System.arraycopy(ring, head, bigger, 0, first);
            System.arraycopy(ring, 0, bigger, first, size - first);
            ring = bigger;
            head = 0;
        }

        /**
         * Event loop, after a read batch: wakes the reader; go on reading, or pause until drained.
         * Netty reads a stream after every QUIC packet, so waking the reader here woke it once per
         * packet (with 8 streams, ~1.4 million context switches per GiB, the largest cost of the
         * raw path); now once per read burst ({@link AfterReadBurst}).
         */
        synchronized boolean batchEnded() {
            if (readerWaiting) {
                wakeAfterBurst.arm();
            }
            if (finished || failure != null || closed) {
                return false;
            }
            // Once paused, only the reader resumes (it alone knows when it drained enough).
            readPaused = readPaused || size >= INPUT_PAUSE_BYTES;
            return !readPaused;
        }

        private synchronized void wakeReader() {
            notifyAll();
        }

        /** Whether the peer's FIN was read from quiche (on the event loop; data may still be queued here). */
        synchronized boolean finishedByPeer() {
            return finished;
        }

        synchronized void finished() {
            finished = true;
            notifyAll();
        }

        @Override
        public synchronized void fail(IOException cause) {
            // A clean FIN already seen wins over a later connection close: data is complete.
            if (failure == null && !finished) {
                failure = cause;
            }
            notifyAll();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            boolean resume;
            int n;
            synchronized (this) {
                while (size == 0 && !finished && failure == null && !closed) {
                    readerWaiting = true;
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading a QUIC stream");
                    } finally {
                        readerWaiting = false;
                    }
                }
                if (closed) {
                    throw new IOException("stream input closed");
                }
                if (size == 0) {
                    if (failure != null) {
                        throw failure;
                    }
                    return -1;
                }
                n = Math.min(len, size);
                int first = Math.min(n, ring.length - head);
                System.arraycopy(ring, head, b, off, first);
                System.arraycopy(ring, 0, b, off + first, n - first);
                head = (head + n) % ring.length;
                size -= n;
                resume = readPaused && size < INPUT_RESUME_BYTES;
                if (resume) {
                    readPaused = false;
                }
            }
            if (resume) {
                // On the event loop, after any pause decided there before (tasks run in order).
                channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
            }
            return n;
        }

        @Override
        public synchronized int available() {
            return size;
        }

        synchronized boolean failed() {
            return failure != null;
        }

        /**
         * Event loop: the bytes not yet read, as one buffer; reading through this input ends (a
         * reader still blocked is told so).
         */
        synchronized ByteBuf handOver() {
            ByteBuf held = Unpooled.buffer(size);
            int first = Math.min(size, ring.length - head);
            held.writeBytes(ring, head, first);
            held.writeBytes(ring, 0, size - first);
            closed = true;
            ring = EMPTY;
            head = 0;
            size = 0;
            notifyAll();
            return held;
        }

        /** Stops reading: drops what is queued; the peer learns nothing until the stream is reset or done. */
        @Override
        public synchronized void close() {
            closed = true;
            ring = EMPTY;
            head = 0;
            size = 0;
            notifyAll();
        }
    }

    /**
     * Copies writes into direct buffers; blocks while {@link #OUTPUT_PENDING_LIMIT} bytes wait for
     * quiche. Once the stream is spliced it also takes the TCP side's reads ({@link #writeSpliced})
     * and FIN, so that both share the holding back below.
     *
     * <p><b>quiche can drop a FIN that carries no data</b> (cloudflare/quiche#2525, open in the quiche
     * of Netty 4.2.18): a zero-length STREAM frame with FIN written after the stream's data was sent
     * sets the final size, and if the ACK of that data is processed before the FIN frame goes out
     * (the congestion window was full), quiche counts the send side complete ({@code acked ==
     * 0..fin_off}, the FIN itself is never tracked), and a stream whose receive side had already
     * ended is collected with the FIN unsent. The peer reads every byte and then waits for end of
     * stream forever (measured: 1 in 8 rounds of 40 concurrent 256 KiB echoes with a kwik client).
     * A FIN written together with data is tracked with that data and cannot be lost this way. So
     * once the peer's FIN has arrived (the only state in which quiche collects on that ACK), each
     * write keeps its last byte back ({@link #held}; a spliced TCP read keeps its whole buffer
     * back: no copy, no extra write); the next write or {@link #close} sends it (close: with the
     * FIN), or {@link #HELD_BYTE_RELEASE_MS} later it goes out alone.
     *
     * <p>Order: a writer thread's buffers reach the channel through tasks on its event loop, and
     * the timed release runs on that loop too, possibly while some of them are still queued (a
     * loop that lags by the release delay, as on a loaded host); it then goes behind them. Sent
     * at once, the held byte overtook the bytes before it (a digest mismatch under load).
     */
    private final class Output extends OutputStream implements Direction {
        private long pendingBytes;
        private boolean closed;
        private IOException failure;
        /** The end of the last write made while the peer's FIN was in, not yet handed to the channel; or null. */
        private ByteBuf held;
        private long heldSinceNanos;
        private boolean releaseScheduled;
        /** Writes writer threads queued on the event loop... */
        private long queuedByWriters;
        /** ...and how many of those ran (event loop only). */
        private long ranForWriters;
        /** Event loop: a spliced write or a held byte that failed ends the stream's output. */
        private final ChannelFutureListener failureListener = f -> {
            if (!f.isSuccess()) {
                writeFailed(f.cause());
            }
        };

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return;
            }
            boolean hold = input.finishedByPeer();
            int end = off + len - (hold ? 1 : 0);
            // Under the monitor: a held byte and the bytes after it reach the channel in order, and
            // the release task (event loop, same monitor) cannot send the held byte in between.
            synchronized (this) {
                do {
                    int n = Math.min(end - off, OUTPUT_CHUNK);
                    awaitRoom(n + 1);
                    int prefix = held != null ? held.readableBytes() : 0;
                    if (n + prefix > 0) {
                        ByteBuf buf = channel.alloc().directBuffer(n + prefix);
                        if (held != null) {
                            buf.writeBytes(held);
                            held.release();
                            held = null;
                        }
                        buf.writeBytes(b, off, n);
                        send(buf);
                    }
                    off += n;
                } while (off < end);
                if (hold) {
                    hold(channel.alloc().directBuffer(1).writeByte(b[end]));
                }
            }
        }

        /**
         * Event loop: a read of the spliced TCP side, handed to quiche as it is (no copy); once
         * the peer's FIN is in, it is held back in place of the one before, which goes now.
         * No flush needed: a Netty stream channel hands each write to quiche at once (its flush is a no-op).
         */
        synchronized void writeSpliced(ByteBuf buf) {
            if (failure != null || closed) {
                buf.release(); // the TCP side is being aborted (or has ended: nothing follows its FIN)
                return;
            }
            if (!input.finishedByPeer()) { // then nothing is held: holding starts with the peer's FIN
                channel.write(buf).addListener(failureListener);
                return;
            }
            ByteBuf earlier = takeHeld();
            hold(buf);
            if (earlier.isReadable()) {
                channel.write(earlier).addListener(failureListener);
            } else {
                earlier.release();
            }
        }

        /** Monitor held: keeps {@code end} back; if no write or close follows, the release task sends it. */
        private void hold(ByteBuf end) {
            held = end;
            heldSinceNanos = System.nanoTime();
            if (!releaseScheduled) {
                releaseScheduled = true;
                channel.eventLoop().schedule(this::releaseHeld, HELD_BYTE_RELEASE_MS, TimeUnit.MILLISECONDS);
            }
        }

        /** Monitor held: hands {@code buf} to the channel, counted until quiche took it. */
        private void send(ByteBuf buf) {
            int n = buf.readableBytes();
            pendingBytes += n;
            submit(buf, f -> {
                released(n);
                failureListener.operationComplete(f);
            });
        }

        /**
         * Monitor held: writes and flushes {@code msg} after every earlier write. A writer thread's
         * goes through a task of ours rather than Netty's so that the release can tell whether any
         * is still queued.
         */
        private void submit(Object msg, ChannelFutureListener listener) {
            if (channel.eventLoop().inEventLoop()) {
                channel.writeAndFlush(msg).addListener(listener);
                return;
            }
            try {
                channel.eventLoop().execute(() -> {
                    ranForWriters++;
                    channel.writeAndFlush(msg).addListener(listener);
                });
                queuedByWriters++;
            } catch (RejectedExecutionException e) {
                ReferenceCountUtil.release(msg);
                fail(new IOException("stream closed: its event loop has shut down", e)); // the next write or close throws it
            }
        }

        /** Event loop: the held byte goes out alone once it has waited long enough for a next write or close. */
        private synchronized void releaseHeld() {
            releaseScheduled = false;
            if (held == null) {
                return;
            }
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldSinceNanos);
            if (ranForWriters < queuedByWriters) { // bytes before the held one are still queued: go behind them
                releaseScheduled = true;
                channel.eventLoop().execute(this::releaseHeld);
            } else if (waitedMs < HELD_BYTE_RELEASE_MS) {
                releaseScheduled = true;
                channel.eventLoop().schedule(this::releaseHeld, HELD_BYTE_RELEASE_MS - waitedMs, TimeUnit.MILLISECONDS);
            } else {
                releaseHeldNow();
            }
        }

        /**
         * Event loop: sends a held byte at once. Callers run behind every write queued before the
         * byte was held ({@link #releaseHeld} checks; {@link #spliceTo} is a task queued after the
         * writes it follows). A held byte means the output is neither closed nor failed:
         * {@link #close} and {@link #fail} take it.
         */
        synchronized void releaseHeldNow() {
            if (held != null) {
                send(takeHeld());
            }
        }

        /** Monitor held: what is held back, or an empty buffer; nothing is held afterwards. */
        private ByteBuf takeHeld() {
            ByteBuf taken = held != null ? held : Unpooled.EMPTY_BUFFER;
            held = null;
            return taken;
        }

        /** Monitor held: waits while the limit is reached (a lone write may exceed it). */
        private void awaitRoom(int n) throws IOException {
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                if (closed) {
                    throw new IOException("stream output closed");
                }
                if (pendingBytes == 0 || pendingBytes + n <= OUTPUT_PENDING_LIMIT) {
                    return;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while writing a QUIC stream");
                }
            }
        }

        private synchronized void released(int n) {
            pendingBytes -= n;
            notifyAll();
        }

        /** Event loop. A spliced stream we cannot write ends its TCP side too, as {@code StreamBridge} does. */
        private void writeFailed(Throwable cause) {
            if (cause.getMessage() != null && cause.getMessage().contains(QUICHE_STOP_SENDING)) {
                peerAborted(this);
            } else {
                fail(new IOException("stream write failed: " + cause, cause));
                outputEnded();
            }
            if (splice != null) {
                splice.streamAborted();
            }
        }

        @Override
        public synchronized void fail(IOException cause) {
            if (failure == null) {
                failure = cause;
            }
            if (held != null) {
                held.release();
                held = null;
            }
            notifyAll();
        }

        /**
         * Sends FIN after every byte written before. The FIN rides on a frame queued behind those
         * writes: {@code shutdownOutput()} would send it ahead of data still held back by flow
         * control, and the peer would lose that data (measured: 35 KB lost). A held byte (see the
         * class comment) travels in that frame, so the FIN is not a frame of its own.
         */
        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (failure != null) {
                throw failure;
            }
            submit(new DefaultQuicStreamFrame(takeHeld(), true), f -> {
                if (f.isSuccess()) {
                    outputEnded();
                } else {
                    writeFailed(f.cause());
                }
            });
        }
    }
}
