package org.sfkit.proxy.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.ice4j.socket.IceSocketWrapper;

/**
 * ice4j's view of one host candidate on a peer's shared UDP socket: what ice4j sends goes out raw
 * beside QUIC, what {@link StunDemux} routes here is what ice4j's reader receives. Closing it (ice4j
 * does when it frees a candidate) closes only this view, never the shared socket.
 */
final class SharedStunSocket extends IceSocketWrapper {
    /** STUN traffic is a few checks per RTT; a full queue means nobody reads, so dropping is right. */
    private static final int QUEUE_LIMIT = 256;
    /** How often a blocked receive looks whether the view was closed. */
    private static final long CLOSE_POLL_MS = 200;

    private final StunDemux demux;
    private final InetSocketAddress local;
    private final BlockingQueue<DatagramPacket> inbox = new ArrayBlockingQueue<>(QUEUE_LIMIT);
    /**
     * ice4j treats a wrapper as UDP only when {@link #getUDPSocket()} is non-null, and reads that
     * socket's receive buffer size; this unbound socket answers both and never carries traffic.
     */
    private final DatagramSocket placeholder;
    private volatile boolean closed;

    SharedStunSocket(StunDemux demux, InetSocketAddress local) throws SocketException {
        this.demux = demux;
        this.local = local;
        this.placeholder = new DatagramSocket((SocketAddress) null);
    }

    InetSocketAddress local() {
        return local;
    }

    /** Called by {@link StunDemux} on the socket's receive thread with a private copy. */
    void deliver(byte[] datagram, InetSocketAddress sender) {
        if (!closed) {
            inbox.offer(new DatagramPacket(datagram, datagram.length, sender));
        }
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        if (closed) {
            throw new SocketException("STUN view " + local + " is closed");
        }
        demux.send(this, ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()).slice(),
                (InetSocketAddress) p.getSocketAddress());
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        while (true) {
            if (closed) {
                throw new SocketException("STUN view " + local + " is closed");
            }
            DatagramPacket next;
            try {
                next = inbox.poll(CLOSE_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SocketException("interrupted");
            }
            if (next != null) {
                int length = Math.min(next.getLength(), p.getData().length - p.getOffset());
                System.arraycopy(next.getData(), 0, p.getData(), p.getOffset(), length);
                p.setLength(length);
                p.setSocketAddress(next.getSocketAddress());
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        placeholder.close();
    }

    @Override
    public InetAddress getLocalAddress() {
        return local.getAddress();
    }

    @Override
    public int getLocalPort() {
        return local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local;
    }

    @Override
    public Socket getTCPSocket() {
        return null;
    }

    @Override
    public DatagramSocket getUDPSocket() {
        return placeholder;
    }
}
