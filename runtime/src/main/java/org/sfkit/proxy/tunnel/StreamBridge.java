package org.sfkit.proxy.tunnel;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.SocketTcpListener;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;
import org.sfkit.proxy.quic.TcpConnection;
import org.sfkit.proxy.quic.TcpSplice;

/**
 * Splices a TCP socket and a QUIC stream, both directions, with the close semantics of spec
 * section 7 and our extensions: TCP EOF becomes stream FIN and back (half-close both ways); a TCP
 * error (RST) resets the stream with {@link StreamErrorCodes#ABORTED}; a reset stream aborts the
 * TCP connection with an RST. Back-pressure is end to end: each direction holds one buffer, so a
 * slow reader blocks the writer through QUIC flow control.
 */
public final class StreamBridge {
    private static final Logger LOG = Logger.getLogger(StreamBridge.class.getName());
    /** 64 KiB: large enough to amortise a system call and a QUIC write, small per connection. */
    static final int BUFFER_SIZE = 64 * 1024;

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    /** Blocking pumps, one thread per direction; unbounded in count because connections are. */
    private static final ExecutorService PUMPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sfkit-bridge-" + THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** Bytes moved by one bridge, for reports. */
    public record Transfer(long sent, long received) {
    }

    private StreamBridge() {
    }

    /**
     * A {@link TcpSplice} over a blocking socket and two pump threads: for engines without a
     * native one ({@link QuicStream#nativeTcpSplice()}).
     */
    public static TcpSplice threadedSplice(QuicStream stream, String label) {
        Socket socket = new Socket();
        TcpConnection connection = SocketTcpListener.wrap(socket);
        return new TcpSplice() {
            @Override
            public void connect(InetSocketAddress target, Duration timeout) throws IOException {
                try {
                    socket.connect(target, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE));
                    socket.setTcpNoDelay(true); // MPC protocols ping-pong small messages; Nagle would delay each
                } catch (IOException e) {
                    closeQuietly(socket);
                    throw e;
                }
            }

            @Override
            public CompletableFuture<Void> start() {
                return bridge(connection, stream, label).thenApply(transfer -> null);
            }

            @Override
            public void abort() {
                connection.abort();
            }
        };
    }

    /**
     * Carries {@code stream} over an accepted {@code connection}: on the engine's own threads where
     * it can ({@link TcpConnection#spliceNatively}), else with {@link #bridge}'s pumps. Returns at
     * once; the future completes when both directions ended and the connection is closed.
     */
    public static CompletableFuture<?> splice(TcpConnection connection, QuicStream stream, String label) {
        Optional<CompletableFuture<Void>> spliced = connection.spliceNatively(stream);
        return spliced.isPresent() ? spliced.get() : bridge(connection, stream, label);
    }

    /**
     * Starts pumping between {@code socket}'s blocking streams and {@code stream} and returns at
     * once. The future completes when both directions ended and the socket is closed.
     */
    public static CompletableFuture<Transfer> bridge(TcpConnection socket, QuicStream stream, String label) {
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        TcpWrites writes = new TcpWrites();
        CompletableFuture<Void> up =
                CompletableFuture.runAsync(() -> tcpToStream(socket, stream, writes, sent, label), PUMPS);
        CompletableFuture<Void> down =
                CompletableFuture.runAsync(() -> streamToTcp(stream, socket, writes, received, label), PUMPS);
        return up.runAfterBoth(down, () -> closeQuietly(socket))
                .thenApply(v -> new Transfer(sent.get(), received.get()));
    }

    private static void tcpToStream(
            TcpConnection socket, QuicStream stream, TcpWrites writes, AtomicLong count, String label) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            InputStream in = socket.input();
            OutputStream out = stream.output();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                count.addAndGet(n);
            }
            if (writes.failed()) {
                throw new SocketException("connection reset (reported to a write, then read as EOF)");
            }
            out.close(); // FIN after everything written
        } catch (StreamResetException e) {
            // The peer stopped reading (STOP_SENDING): the other direction reports it.
            LOG.log(Level.FINE, () -> label + ": peer stopped reading: " + e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.FINE, () -> label + ": TCP side failed, resetting stream: " + e);
            stream.reset(StreamErrorCodes.ABORTED);
            socket.abort();
        }
    }

    private static void streamToTcp(
            QuicStream stream, TcpConnection socket, TcpWrites writes, AtomicLong count, String label) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            InputStream in = stream.input();
            OutputStream out = socket.output();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                writes.write(out, buffer, n);
                count.addAndGet(n);
            }
            socket.shutdownOutput(); // stream FIN becomes TCP FIN
        } catch (StreamResetException e) {
            LOG.log(Level.FINE, () -> label + ": stream reset by peer, aborting TCP: " + e.getMessage());
            socket.abort();
        } catch (IOException e) {
            LOG.log(Level.FINE, () -> label + ": TCP write failed, resetting stream: " + e);
            stream.reset(StreamErrorCodes.ABORTED);
            socket.abort();
        }
    }

    /**
     * Tells a TCP peer's RST from its FIN for the reading pump. Linux reports a reset once, to the
     * first read or write after it, and then clears it: when the writing pump's write takes it, the
     * reading pump's next read returns EOF as for a clean close, and forwarding that as FIN would
     * end the peer's stream as complete though the connection was aborted (a race CI hit). So
     * writes run under a lock and record their failure, and the reader, at EOF, asks once the
     * write in progress has ended.
     */
    private static final class TcpWrites {
        /**
         * How long the reader at EOF waits for a write in progress. An RST wakes a write blocked on
         * buffer room with the error at once, so a write still running after this is on a live
         * connection; 1 s covers a writer descheduled between the failed system call and its
         * record on a loaded host, and bounds how long such a write can delay the FIN.
         */
        private static final long WRITE_SETTLE_MS = 1000;

        private final ReentrantLock lock = new ReentrantLock();
        private boolean failed;

        void write(OutputStream out, byte[] buffer, int n) throws IOException {
            lock.lock();
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                failed = true;
                throw e;
            } finally {
                lock.unlock();
            }
        }

        boolean failed() throws InterruptedIOException {
            try {
                if (!lock.tryLock(WRITE_SETTLE_MS, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted at the end of a TCP connection");
            }
            try {
                return failed;
            } finally {
                lock.unlock();
            }
        }
    }

    private static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
