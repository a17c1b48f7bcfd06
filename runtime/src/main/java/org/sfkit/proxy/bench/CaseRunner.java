package org.sfkit.proxy.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

/**
 * Runs the measurements on a {@link Fixture}. Every case runs on its own threads under a deadline:
 * on expiry its connections are closed (unblocking any read or write) and the case reports
 * {@code "timeout"} instead of hanging; any exception becomes {@code "error: ..."}.
 */
final class CaseRunner {
    private static final double GIB = 1L << 30;
    /**
     * The payload: one random block written over and over. Random, so a compressing or
     * deduplicating layer could not flatter a path; 64 KiB, so each write is one large copy.
     */
    private static final int BLOCK_BYTES = 64 * 1024;

    private final byte[] block = new byte[BLOCK_BYTES];
    private final int writeBytes;
    private final Duration timeout;
    private final Map<Long, Long> expectedChecksums = new ConcurrentHashMap<>();

    /** @param writeBytes bytes per {@code write()} call (at most {@value #BLOCK_BYTES}) */
    CaseRunner(int writeBytes, Duration timeout) {
        if (writeBytes < 1 || writeBytes > BLOCK_BYTES) {
            throw new IllegalArgumentException("write size must be 1.." + BLOCK_BYTES + " bytes");
        }
        new Random(0x5f1c).nextBytes(block); // fixed seed: the same bytes every run
        this.writeBytes = writeBytes;
        this.timeout = timeout;
    }

    /** Starts a fixture under the case deadline. */
    Outcome<Fixture> start(Fixture.Factory factory) {
        List<AutoCloseable> started = new CopyOnWriteArrayList<>();
        return underDeadline(() -> {
            Fixture f = factory.start();
            started.add(f); // so a start that finishes just as the deadline passes is closed too (best effort)
            return f;
        }, started);
    }

    /**
     * {@code totalBytes} split over {@code connections} parallel connections, all opened before
     * the clock starts. The one-connection case also checks a CRC-32 of the payload; every case
     * checks the byte count the sink saw.
     */
    Outcome<Throughput> throughput(Fixture fixture, int connections, long totalBytes) {
        boolean checksum = connections == 1;
        long perConnection = totalBytes / connections;
        Long expectedCrc = checksum ? expectedChecksums.computeIfAbsent(perConnection, this::payloadCrc) : null;
        List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
        return underDeadline(() -> {
            List<Duplex> duplexes = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Duplex d = fixture.connect();
                opened.add(d);
                d.out().write(checksum ? BenchService.MODE_SINK_CHECKSUM : BenchService.MODE_SINK);
                duplexes.add(d);
            }
            ExecutorService senders = Executors.newFixedThreadPool(connections, Threads.daemon("bench-sender"));
            opened.add(senders::shutdownNow);
            long cpu0 = fixture.cpuNanos();
            long t0 = System.nanoTime();
            List<Future<Void>> sent = new ArrayList<>();
            for (Duplex d : duplexes) {
                sent.add(senders.submit(() -> {
                    sendAndVerify(d, perConnection, expectedCrc);
                    return null;
                }));
            }
            for (Future<Void> f : sent) {
                f.get(); // the outer deadline bounds this
            }
            long wallNanos = System.nanoTime() - t0;
            long cpuNanos = fixture.cpuNanos() - cpu0;
            long bytes = perConnection * connections;
            for (Duplex d : duplexes) {
                d.close();
            }
            senders.shutdown();
            return new Throughput(bytes / 1e6 / (wallNanos / 1e9), cpuNanos / 1e9 / (bytes / GIB));
        }, opened);
    }

    private void sendAndVerify(Duplex d, long bytes, Long expectedCrc) throws IOException {
        long[] trailer = d.sink(block, bytes, writeBytes);
        if (trailer[0] != bytes) {
            throw new IOException("integrity: sink received " + trailer[0] + " bytes, sent " + bytes);
        }
        if (expectedCrc != null && trailer[1] != expectedCrc) {
            throw new IOException("integrity: CRC-32 mismatch (sink " + Long.toHexString(trailer[1])
                    + ", expected " + Long.toHexString(expectedCrc) + ")");
        }
    }

    /** The CRC-32 of {@code bytes} of payload, computed before the clock starts. */
    private long payloadCrc(long bytes) {
        CRC32 crc = new CRC32();
        for (long left = bytes; left > 0; left -= BLOCK_BYTES) {
            crc.update(block, 0, (int) Math.min(left, BLOCK_BYTES));
        }
        return crc.getValue();
    }

    /** 1-byte ping-pongs on one connection: {@code warmUp} unrecorded, then {@code count} recorded. */
    Outcome<Latency> pingPong(Fixture fixture, int warmUp, int count) {
        List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
        return underDeadline(() -> {
            Duplex d = fixture.connect();
            opened.add(d);
            d.out().write(BenchService.MODE_ECHO);
            long[] samples = d.pingPong(warmUp, count);
            d.close();
            return Latency.of(samples);
        }, opened);
    }

    private <T> Outcome<T> underDeadline(Callable<T> body, List<AutoCloseable> toCloseOnFailure) {
        ExecutorService runner = Executors.newSingleThreadExecutor(Threads.daemon("bench-case"));
        Future<T> result = runner.submit(body);
        boolean succeeded = false;
        try {
            T value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            succeeded = true;
            return Outcome.ok(value);
        } catch (TimeoutException e) {
            return Outcome.failed("timeout");
        } catch (ExecutionException e) {
            return Outcome.failed("error: " + rootMessage(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        } finally {
            if (!succeeded) {
                closeAll(toCloseOnFailure);
                result.cancel(true);
            }
            runner.shutdown();
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the case already failed
            }
        }
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof ExecutionException || root.getMessage() == null)) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
