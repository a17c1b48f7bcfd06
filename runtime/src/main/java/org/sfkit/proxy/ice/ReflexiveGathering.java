package org.sfkit.proxy.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Server-reflexive addresses of a shared socket from our own Binding requests (RFC 8489), sent
 * beside ice4j through {@link StunDemux#sendOwn}. ice4j's {@code StunCandidateHarvester} is not
 * used: on our shared socket its harvest could end (host candidate only) before its request had
 * left the socket (the NAT lab saw the request at the router ~3 s after gathering had ended), so
 * the first attempt between two NATed parties had no srflx candidate and failed. Here the answer
 * is read on the socket's own receive thread, the request is retransmitted, and an answer arriving
 * after we gave up still yields a candidate (trickled) instead of being dropped.
 */
final class ReflexiveGathering {
    private static final Logger LOG = Logger.getLogger(ReflexiveGathering.class.getName());
    /**
     * RFC 8489 section 6.2.1 retransmission with doubling RTO. 250 ms (half the RFC's 500 ms,
     * which it allows when the path is known to be short): the STUN server is a router or two
     * away, and the first attempt should not wait long for a datagram lost at start-up.
     */
    static final Duration FIRST_RTO = Duration.ofMillis(250);
    /**
     * Five requests, then one more RTO of waiting: gathering ends 7.75 s after it began at the
     * latest (250+500+1000+2000+4000 ms), which bounds how long a dead STUN server delays checks;
     * an answer after that is still used (trickled).
     */
    static final int REQUESTS = 5;

    private ReflexiveGathering() {
    }

    /**
     * Asks every server; {@code found} gets (server, mapped address) on {@code executor} (never
     * on the socket's thread, which must not wait for locks). The future completes when every
     * server answered or was given up.
     */
    static CompletableFuture<Void> start(StunDemux demux, List<InetSocketAddress> servers, Executor executor,
                                         BiConsumer<InetSocketAddress, InetSocketAddress> found) {
        return CompletableFuture.allOf(servers.stream()
                .map(server -> ask(demux, server, executor, found))
                .toArray(CompletableFuture[]::new));
    }

    private static CompletableFuture<Void> ask(StunDemux demux, InetSocketAddress server, Executor executor,
                                               BiConsumer<InetSocketAddress, InetSocketAddress> found) {
        CompletableFuture<Void> over = new CompletableFuture<>();
        AtomicBoolean answered = new AtomicBoolean();
        Consumer<ByteBuffer> onAnswer = answer -> {
            Optional<InetSocketAddress> mapped = StunBindingRefresh.mappedAddress(answer);
            if (mapped.isPresent() && answered.compareAndSet(false, true)) {
                executor.execute(() -> {
                    try {
                        found.accept(server, mapped.get());
                    } finally {
                        over.complete(null);
                    }
                });
            }
        };
        // Retransmissions keep the transaction ID (RFC 8489 section 6.2.1).
        send(demux, StunBindingRefresh.request(), server, onAnswer, 0, FIRST_RTO, answered, over);
        return over;
    }

    private static void send(StunDemux demux, ByteBuffer request, InetSocketAddress server, Consumer<ByteBuffer> onAnswer,
                             int sent, Duration rto, AtomicBoolean answered, CompletableFuture<Void> over) {
        if (answered.get() || over.isDone()) {
            return;
        }
        if (sent == REQUESTS) {
            LOG.info("STUN server " + server + " has not answered yet; going on without its candidate");
            over.complete(null);
            return;
        }
        try {
            demux.sendOwn(request.duplicate(), server, onAnswer);
        } catch (IOException e) {
            LOG.log(Level.INFO, "STUN server " + server + " gave no candidate", e);
            over.complete(null);
            return;
        }
        StunBindingRefresh.TIMER.schedule(() -> send(demux, request, server, onAnswer, sent + 1, rto.multipliedBy(2),
                answered, over), rto.toMillis(), TimeUnit.MILLISECONDS);
    }
}
