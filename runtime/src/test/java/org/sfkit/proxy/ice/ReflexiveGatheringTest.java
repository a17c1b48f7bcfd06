package org.sfkit.proxy.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.SharedUdpSocket;

/** Our srflx gathering on a real shared socket against a real (loopback) STUN responder. */
class ReflexiveGatheringTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Past the first request and its first retransmission (250 + 500 ms), well before giving up. */
    private static final long LATE_SERVER_MS = 400;

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final QuicEngine engine = QuicEngines.select(QuicEngines.KWIK);

    @AfterEach
    void close() {
        executor.shutdownNow();
    }

    @Test
    void theServersAnswerIsTheSocketsMappedAddress() throws Exception {
        try (StunBindingResponder server = StunBindingResponder.start(new InetSocketAddress(LOOPBACK, 0))) {
            assertThat(gatherFrom(server.address(), () -> { })).isEqualTo(List.of(server.address()));
        }
    }

    @Test
    void aServerThatMissedTheFirstRequestsAnswersARetransmission() throws Exception {
        InetSocketAddress later;
        try (DatagramSocket reserve = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            later = (InetSocketAddress) reserve.getLocalSocketAddress(); // nobody listens there yet
        }
        StunBindingResponder[] server = new StunBindingResponder[1];
        try {
            assertThat(gatherFrom(later, () -> {
                Thread.sleep(LATE_SERVER_MS);
                server[0] = StunBindingResponder.start(later);
            })).isEqualTo(List.of(later));
        } finally {
            if (server[0] != null) {
                server[0].close();
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Gathers from {@code stun} (running {@code meanwhile} after the first request); returns the servers that answered. */
    private List<InetSocketAddress> gatherFrom(InetSocketAddress stun, Step meanwhile) throws Exception {
        StunDemux demux = new StunDemux();
        SharedUdpSocket socket = engine.bindShared(new InetSocketAddress(LOOPBACK, 0), demux);
        demux.attach(socket);
        try {
            CompletableFuture<InetSocketAddress> mapped = new CompletableFuture<>();
            List<InetSocketAddress> answered = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> over = ReflexiveGathering.start(demux, List.of(stun), executor, (from, address) -> {
                answered.add(from);
                mapped.complete(address);
            });
            meanwhile.run();
            over.get(30, TimeUnit.SECONDS);
            assertThat(mapped.get(1, TimeUnit.SECONDS)).isEqualTo(socket.localAddress());
            return answered;
        } finally {
            socket.close();
        }
    }
}
