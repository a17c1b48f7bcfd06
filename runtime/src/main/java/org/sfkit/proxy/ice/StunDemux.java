package org.sfkit.proxy.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.sfkit.proxy.quic.ForeignDatagrams;
import org.sfkit.proxy.quic.SharedUdpSocket;

/**
 * Hands the STUN datagrams of one shared socket to ice4j. The socket may carry several host
 * candidates (one per local address, wildcard bind), and Java cannot tell which local address a
 * datagram arrived on; so a response goes to the view that sent its request (by transaction ID,
 * which is what ice4j matches on), and requests and indications go to the first view.
 */
final class StunDemux implements ForeignDatagrams {
    /** Requests awaiting an answer: a few per candidate pair; older ones have long timed out. */
    private static final int PENDING_LIMIT = 1024;

    private final List<SharedStunSocket> views = new CopyOnWriteArrayList<>();
    private final Map<ByteBuffer, SharedStunSocket> pending = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, SharedStunSocket> eldest) {
            return size() > PENDING_LIMIT;
        }
    };
    /** Our own requests (binding refresh): their answers go to these handlers, not to ice4j. */
    private final Map<ByteBuffer, Consumer<ByteBuffer>> own = new ConcurrentHashMap<>();
    private volatile SharedUdpSocket socket;

    /** The socket is bound after the demux exists (the engine needs the demux to bind). */
    void attach(SharedUdpSocket socket) {
        this.socket = socket;
    }

    void add(SharedStunSocket view) {
        views.add(view);
    }

    void send(SharedStunSocket from, ByteBuffer datagram, InetSocketAddress to) throws IOException {
        if (StunDatagrams.isStun(datagram) && !StunDatagrams.isResponse(datagram)) {
            synchronized (pending) {
                pending.put(StunDatagrams.transactionId(datagram), from);
            }
        }
        socket.sendRaw(datagram, to);
    }

    /** Sends a request of ours beside ice4j; {@code onAnswer} gets the response on the receive thread. */
    void sendOwn(ByteBuffer request, InetSocketAddress to, Consumer<ByteBuffer> onAnswer) throws IOException {
        own.put(StunDatagrams.transactionId(request), onAnswer);
        socket.sendRaw(request, to);
    }

    /** Forgets an own request that was never answered. */
    void forget(ByteBuffer transactionId) {
        own.remove(transactionId);
    }

    @Override
    public boolean claim(ByteBuffer datagram, InetSocketAddress sender) {
        if (!StunDatagrams.isStun(datagram)) {
            return false;
        }
        SharedStunSocket target = null;
        if (StunDatagrams.isResponse(datagram)) {
            Consumer<ByteBuffer> handler = own.remove(StunDatagrams.transactionId(datagram));
            if (handler != null) {
                handler.accept(datagram);
                return true;
            }
            synchronized (pending) {
                target = pending.remove(StunDatagrams.transactionId(datagram));
            }
        }
        if (target == null && !views.isEmpty()) {
            target = views.get(0);
        }
        if (target != null) {
            byte[] copy = new byte[datagram.remaining()];
            datagram.duplicate().get(copy);
            target.deliver(copy, sender);
        }
        return true;
    }
}
