package org.sfkit.proxy.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.StreamErrorCodes;

/**
 * Carries stream reset codes next to RESET_STREAM, because Netty 4.2.18 drops them: its JNI
 * wrapper of {@code quiche_conn_stream_recv} discards the {@code out_error_code} argument, so a
 * reset reaches Java only as "STREAM_RESET" without the application code (RFC 9000 section 19.4).
 *
 * <p>Workaround: before resetting a stream, we write (stream id, code) on one unidirectional
 * stream per connection that starts with {@link #MAGIC}. A receiver that sees a reset looks the
 * code up there. Peers that never open such a stream (Go, kwik) still reset normally; their code
 * is then unknown here and reported as {@link StreamErrorCodes#ABORTED}. A peer that does not read
 * unidirectional streams only buffers a few bytes; one that allows none never gets this stream.
 *
 * <p>Every method runs on the connection's event loop (stream channels share it), so no locks.
 */
final class ResetCodes {
    private static final Logger LOG = Logger.getLogger(ResetCodes.class.getName());

    /** Opens the code stream so a peer can tell it from any other unidirectional stream. */
    static final byte[] MAGIC = "sfkitRC1".getBytes(StandardCharsets.US_ASCII);
    /** Stream id and code, both 8 bytes big-endian. */
    private static final int RECORD_BYTES = 16;
    /**
     * How long a reset waits for its code from a peer that has sent codes before: long enough for
     * one retransmission of the record (a probe timeout is ~1.5 RTT) on paths up to ~500 ms RTT.
     */
    private static final long WAIT_KNOWN_PEER_MILLIS = 1000;
    /**
     * Wait for a peer not (yet) seen sending codes: covers its first record landing in the packet
     * after its RESET_STREAM, without delaying resets from peers that never send codes by much.
     */
    private static final long WAIT_UNKNOWN_PEER_MILLIS = 100;
    /** Codes remembered per connection; older ones belong to streams long finished. */
    private static final int MAX_REMEMBERED = 4096;

    private final QuicChannel connection;
    // Kept after a lookup: both directions of a stream ask (RESET_STREAM and STOP_SENDING).
    private final Map<Long, Long> received = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private final Map<Long, Waiter> waiting = new HashMap<>();
    private boolean peerSendsCodes;
    private QuicStreamChannel outgoing;
    private boolean outgoingUnavailable;

    ResetCodes(QuicChannel connection) {
        this.connection = connection;
    }

    private record Waiter(LongConsumer onCode, ScheduledFuture<?> timeout) {
    }

    /** Tells the peer the code of a reset we are about to send. Call before the reset itself. */
    void announce(long streamId, long code) {
        QuicStreamChannel stream = outgoingStream();
        if (stream == null) {
            return;
        }
        ByteBuf record = stream.alloc().directBuffer(RECORD_BYTES).writeLong(streamId).writeLong(code);
        stream.writeAndFlush(record);
    }

    private QuicStreamChannel outgoingStream() {
        if (outgoing != null || outgoingUnavailable) {
            return outgoing;
        }
        if (connection.peerAllowedStreams(QuicStreamType.UNIDIRECTIONAL) <= 0) {
            outgoingUnavailable = true;
            return null;
        }
        // On the event loop, createStream completes at once (Netty registers the channel inline).
        var created = connection.createStream(QuicStreamType.UNIDIRECTIONAL, new ChannelInboundHandlerAdapter());
        if (!created.isSuccess()) {
            LOG.log(Level.FINE, "cannot open the reset-code stream", created.cause());
            outgoingUnavailable = true;
            return null;
        }
        outgoing = created.getNow();
        outgoing.writeAndFlush(outgoing.alloc().directBuffer(MAGIC.length).writeBytes(MAGIC));
        return outgoing;
    }

    /**
     * Finds the code of a reset the peer sent on {@code streamId} and passes it to {@code onCode}
     * on the event loop: at once if known, else once its record arrives or the wait ends
     * ({@link StreamErrorCodes#ABORTED} then). Looks only after the current read pass, during which
     * the code stream may still be read.
     */
    void resolve(long streamId, EventLoop loop, LongConsumer onCode) {
        loop.execute(() -> {
            Long code = received.get(streamId);
            if (code != null) {
                onCode.accept(code);
                return;
            }
            if (waiting.containsKey(streamId)) {
                Waiter first = waiting.get(streamId);
                waiting.put(streamId, new Waiter(c -> {
                    first.onCode().accept(c);
                    onCode.accept(c);
                }, first.timeout()));
                return;
            }
            long wait = peerSendsCodes ? WAIT_KNOWN_PEER_MILLIS : WAIT_UNKNOWN_PEER_MILLIS;
            ScheduledFuture<?> timeout = loop.schedule(() -> {
                Waiter w = waiting.remove(streamId);
                if (w != null) {
                    w.onCode().accept(StreamErrorCodes.ABORTED);
                }
            }, wait, TimeUnit.MILLISECONDS);
            waiting.put(streamId, new Waiter(onCode, timeout));
        });
    }

    private void codeArrived(long streamId, long code) {
        Waiter w = waiting.remove(streamId);
        if (w != null) {
            w.timeout().cancel(false);
            w.onCode().accept(code);
        }
        received.put(streamId, code);
    }

    /** Reads a peer's unidirectional stream; ignores it unless it starts with {@link #MAGIC}. */
    void readIncoming(QuicStreamChannel stream) {
        stream.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            private ByteBuf pending;
            private boolean magicSeen;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf in = (ByteBuf) msg;
                pending = pending == null ? in : ctx.alloc().compositeBuffer().addComponents(true, pending, in);
                if (!magicSeen) {
                    if (pending.readableBytes() < MAGIC.length) {
                        return;
                    }
                    byte[] magic = new byte[MAGIC.length];
                    pending.readBytes(magic);
                    if (!java.util.Arrays.equals(magic, MAGIC)) {
                        LOG.fine("ignoring a unidirectional stream that is not a reset-code stream");
                        pending.release();
                        pending = null;
                        ctx.close();
                        return;
                    }
                    magicSeen = true;
                    peerSendsCodes = true;
                }
                while (pending.readableBytes() >= RECORD_BYTES) {
                    codeArrived(pending.readLong(), pending.readLong());
                }
                if (!pending.isReadable()) {
                    pending.release();
                    pending = null;
                }
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                if (pending != null) {
                    pending.release();
                    pending = null;
                }
            }
        });
        // After the handler is in place: turning auto-read on reads at once, and bytes reaching an
        // incomplete pipeline would be dropped. A few bytes per reset: no back-pressure needed.
        stream.config().setAutoRead(true);
    }

    /** The connection is gone: nobody will send more codes. */
    void clear() {
        List<Waiter> left = new ArrayList<>(waiting.values());
        waiting.clear();
        received.clear();
        for (Waiter w : left) {
            w.timeout().cancel(false);
            w.onCode().accept(StreamErrorCodes.ABORTED);
        }
    }
}
