package org.sfkit.proxy.agent.pipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The read side of an in-memory socket: the QUIC stream's blocking input, read on the caller's
 * thread, with {@code SO_TIMEOUT} honoured. A stream read cannot be given a deadline, so a timed
 * read runs on a helper thread and the caller waits for it with the timeout; on expiry the caller
 * gets {@link SocketTimeoutException} (the socket stays usable, as with TCP) and the read stays
 * in flight, its bytes going to the next read. Untimed reads (the common case) use no thread.
 */
final class PipeInput extends InputStream {
    private static final Logger LOG = Logger.getLogger(PipeInput.class.getName());
    /** Timed reads and the drain after close; one thread per read in flight, none when idle. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sfkit-agent-pipe-reader");
        t.setDaemon(true);
        return t;
    });
    private static final byte[] END = new byte[0];

    private final InputStream source;
    private volatile int timeoutMillis;
    private volatile boolean shutdown;
    /** A read a timed-out caller left behind: its bytes belong to the next read. Guarded by this. */
    private CompletableFuture<byte[]> pending;
    private byte[] leftover;
    private int leftoverStart;

    PipeInput(InputStream source) {
        this.source = source;
    }

    void timeoutMillis(int millis) {
        timeoutMillis = millis;
    }

    int timeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (shutdown) {
            return -1; // shutdownInput: TCP reads return end of stream from then on
        }
        if (leftover != null) {
            return fromLeftover(b, off, len);
        }
        int timeout = timeoutMillis;
        if (timeout == 0 && pending == null) {
            return source.read(b, off, len);
        }
        if (pending == null) {
            pending = CompletableFuture.supplyAsync(() -> readChunk(len), READERS);
        }
        byte[] chunk;
        try {
            chunk = timeout == 0 ? pending.get() : pending.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("Read timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading");
        } catch (ExecutionException e) {
            pending = null;
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        pending = null;
        if (chunk == END) {
            return -1;
        }
        leftover = chunk;
        leftoverStart = 0;
        return fromLeftover(b, off, len);
    }

    private byte[] readChunk(int len) {
        byte[] buffer = new byte[len];
        try {
            int n = source.read(buffer, 0, len);
            return n < 0 ? END : Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int fromLeftover(byte[] b, int off, int len) {
        int n = Math.min(len, leftover.length - leftoverStart);
        System.arraycopy(leftover, leftoverStart, b, off, n);
        leftoverStart += n;
        if (leftoverStart == leftover.length) {
            leftover = null;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        byte[] rest = leftover;
        return rest != null ? rest.length - leftoverStart : shutdown ? 0 : source.available();
    }

    /**
     * Reads end from now on; what the peer still sends is read and dropped in the background,
     * as the kernel does for a TCP socket, so the peer is never stalled by flow control.
     */
    void shutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        READERS.execute(() -> {
            try {
                source.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                LOG.log(Level.FINE, "drain after shutdown ended", e);
            }
        });
    }
}
