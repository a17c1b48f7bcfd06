package org.sfkit.proxy.ice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps each STUN server's NAT mapping of a peer socket alive and watches it (RFC 8489 Binding
 * requests from the shared socket): an answer naming an address that is none of our candidates
 * means the NAT forgot or moved our mapping, and the peer must get new candidates (ICE restart).
 * No answer is not a verdict: STUN servers may be down while the peer path is fine.
 */
final class StunBindingRefresh implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StunBindingRefresh.class.getName());
    /**
     * 25 s: under the 30 s Linux conntrack (and many home routers) give a UDP flow that has not
     * yet been seen in both directions repeatedly, and well within RFC 4787's 2 min minimum
     * (REQ-5); an extra ~100 bytes each way per STUN server every 25 s costs nothing.
     */
    static final Duration INTERVAL = Duration.ofSeconds(25);
    /** An answer later than this is treated as lost (the transaction is forgotten). */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;
    private static final int XOR_MAPPED_ADDRESS = 0x0020;
    private static final int ATTRIBUTE_HEADER = 4;
    private static final int FAMILY_IPV4 = 0x01;
    private static final SecureRandom RANDOM = new SecureRandom();
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sfkit-stun-refresh");
        t.setDaemon(true);
        return t;
    });

    private final ScheduledFuture<?> task;

    private StunBindingRefresh(ScheduledFuture<?> task) {
        this.task = task;
    }

    /**
     * @param ours whether an address is one of our candidates' (asked at each answer: a late
     *     srflx candidate joins them): an answer outside them is a changed mapping
     * @param changed told once, with a description, when a mapping changed
     */
    static StunBindingRefresh start(StunDemux demux, List<InetSocketAddress> servers, Predicate<InetSocketAddress> ours,
                                    Consumer<String> changed) {
        Runnable round = () -> {
            for (InetSocketAddress server : servers) {
                ByteBuffer request = request();
                ByteBuffer id = StunDatagrams.transactionId(request);
                try {
                    demux.sendOwn(request, server, answer -> mappedAddress(answer)
                            .filter(mapped -> !ours.test(mapped))
                            .ifPresent(mapped -> changed.accept("NAT mapping toward STUN server " + server
                                    + " is now " + mapped + ", none of our candidates")));
                    TIMER.schedule(() -> demux.forget(id), ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (IOException e) {
                    LOG.log(Level.FINE, "binding refresh to " + server + " not sent", e);
                }
            }
        };
        return new StunBindingRefresh(TIMER.scheduleWithFixedDelay(round, INTERVAL.toMillis(), INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    static ByteBuffer request() {
        byte[] id = new byte[StunDatagrams.TRANSACTION_LENGTH];
        RANDOM.nextBytes(id);
        ByteBuffer request = ByteBuffer.allocate(StunDatagrams.HEADER_LENGTH);
        request.putShort((short) BINDING_REQUEST).putShort((short) 0).putInt(StunDatagrams.MAGIC_COOKIE).put(id);
        return request.flip();
    }

    /** XOR-MAPPED-ADDRESS of a Binding success response (RFC 8489 section 14.2), IPv4 only. */
    static Optional<InetSocketAddress> mappedAddress(ByteBuffer response) {
        int start = response.position();
        if ((response.getShort(start) & 0xFFFF) != BINDING_SUCCESS) {
            return Optional.empty();
        }
        int at = start + StunDatagrams.HEADER_LENGTH;
        while (at + ATTRIBUTE_HEADER <= response.limit()) {
            int type = response.getShort(at) & 0xFFFF;
            int length = response.getShort(at + 2) & 0xFFFF;
            if (type == XOR_MAPPED_ADDRESS && length >= 8 && response.get(at + 5) == FAMILY_IPV4) {
                int port = (response.getShort(at + 6) ^ (StunDatagrams.MAGIC_COOKIE >>> 16)) & 0xFFFF;
                int ip = response.getInt(at + 8) ^ StunDatagrams.MAGIC_COOKIE;
                try {
                    InetAddress address = InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(ip).array());
                    return Optional.of(new InetSocketAddress(address, port));
                } catch (java.net.UnknownHostException e) {
                    return Optional.empty(); // four bytes are always a valid IPv4 address
                }
            }
            at += ATTRIBUTE_HEADER + ((length + 3) & ~3); // values are padded to 4 bytes
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
