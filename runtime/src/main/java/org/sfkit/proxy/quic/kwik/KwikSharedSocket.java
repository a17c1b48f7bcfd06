package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.ForeignDatagrams;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.SharedUdpSocket;
import org.sfkit.proxy.quic.TlsIdentity;

/**
 * A shared socket for kwik: one reader thread of ours on the real socket offers each datagram to
 * the {@link ForeignDatagrams} and queues the rest for kwik, which reads them through
 * {@link QuicView}, a {@code DatagramSocket} whose {@code receive()} takes from that queue. (kwik
 * reads its socket on its own thread; two readers on one socket would steal each other's
 * datagrams, field notes.)
 */
final class KwikSharedSocket implements SharedUdpSocket {
    private static final Logger LOG = Logger.getLogger(KwikSharedSocket.class.getName());
    /** The largest UDP payload: nothing is ever cut (ice4j's multiplexing socket cuts at 1500). */
    private static final int MAX_DATAGRAM = 65_535;
    /**
     * Datagrams waiting for kwik. kwik's packets are at most ~1.3 KB, so 4096 is ~5 MB, more
     * than its windows put in flight; when full we drop, as a socket buffer would.
     */
    private static final int QUEUE_LIMIT = 4096;
    /** How often a blocked {@code receive()} looks whether the view was closed. */
    private static final long CLOSE_POLL_MS = 200;

    private final KwikEngine engine;
    private final DatagramSocket real;
    private final ForeignDatagrams foreign;
    private final BlockingQueue<DatagramPacket> toQuic = new ArrayBlockingQueue<>(QUEUE_LIMIT);
    private final QuicView view;

    KwikSharedSocket(KwikEngine engine, InetSocketAddress bind, ForeignDatagrams foreign) throws IOException {
        this.engine = engine;
        this.foreign = foreign;
        this.real = new DatagramSocket(bind);
        try {
            this.view = new QuicView();
        } catch (SocketException e) {
            real.close();
            throw e;
        }
        Thread reader = new Thread(this::readLoop, "sfkit-udp-" + real.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!real.isClosed()) {
            try {
                packet.setData(buffer);
                real.receive(packet);
            } catch (IOException e) {
                if (!real.isClosed()) {
                    LOG.log(Level.FINE, "receive failed on shared UDP socket " + real.getLocalSocketAddress(), e);
                }
                continue;
            }
            InetSocketAddress sender = (InetSocketAddress) packet.getSocketAddress();
            if (foreign.claim(ByteBuffer.wrap(buffer, 0, packet.getLength()).slice(), sender)) {
                continue;
            }
            byte[] copy = Arrays.copyOf(buffer, packet.getLength());
            toQuic.offer(new DatagramPacket(copy, copy.length, sender));
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) real.getLocalSocketAddress();
    }

    @Override
    public void sendRaw(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        byte[] bytes = new byte[datagram.remaining()];
        datagram.get(bytes);
        real.send(new DatagramPacket(bytes, bytes.length, to));
    }

    @Override
    public QuicListener listen(TlsIdentity identity, PinnedTrust trustedClients, QuicSettings settings,
                               Consumer<QuicConnection> onConnection) throws IOException {
        return KwikListener.open(view, identity, settings, onConnection);
    }

    @Override
    public QuicConnection connect(InetSocketAddress remote, TlsIdentity identity, PinnedTrust trustedServer,
                                  QuicSettings settings, Duration timeout) throws IOException {
        try {
            return engine.dial(local -> view, remote, identity, trustedServer, settings, timeout);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        view.close();
        real.close();
    }

    /**
     * What kwik sees (it calls only {@code send}, {@code receive}, {@code close},
     * {@code getLocalSocketAddress} and {@code getReceiveBufferSize}; field notes). Constructed
     * unbound: it never does I/O itself. Its {@code receive()} never throws while it is open
     * (kwik's server would call {@code System.exit(9)}; see {@link ServerDatagramSocket}).
     */
    private final class QuicView extends DatagramSocket {
        private volatile boolean viewClosed;

        QuicView() throws SocketException {
            super((SocketAddress) null);
        }

        @Override
        public void receive(DatagramPacket packet) throws IOException {
            while (true) {
                if (viewClosed) {
                    throw new SocketException("socket closed");
                }
                DatagramPacket next;
                try {
                    next = toQuic.poll(CLOSE_POLL_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SocketException("interrupted while receiving");
                }
                if (next != null) {
                    int length = Math.min(next.getLength(), packet.getData().length - packet.getOffset());
                    System.arraycopy(next.getData(), 0, packet.getData(), packet.getOffset(), length);
                    packet.setLength(length);
                    packet.setSocketAddress(next.getSocketAddress());
                    return;
                }
            }
        }

        @Override
        public void send(DatagramPacket packet) throws IOException {
            real.send(packet);
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return real.getLocalSocketAddress();
        }

        @Override
        public InetAddress getLocalAddress() {
            return real.getLocalAddress();
        }

        @Override
        public int getLocalPort() {
            return real.getLocalPort();
        }

        @Override
        public int getReceiveBufferSize() throws SocketException {
            return real.getReceiveBufferSize();
        }

        @Override
        public void close() {
            viewClosed = true;
            super.close();
        }

        @Override
        public boolean isClosed() {
            return viewClosed;
        }
    }
}
