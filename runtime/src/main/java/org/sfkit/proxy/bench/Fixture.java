package org.sfkit.proxy.bench;

import java.io.IOException;

/**
 * One set-up path to a {@link BenchService}: everything a case needs running (listeners, proxy
 * nodes, QUIC connections). {@link #connect()} makes one more client connection through it.
 */
interface Fixture extends AutoCloseable {
    Duplex connect() throws IOException;

    /**
     * CPU time, in nanoseconds, of every process this path runs in. In-process fixtures count
     * this JVM: both ends of the path and the benchmark client.
     */
    default long cpuNanos() {
        return ProcessCpu.self();
    }

    /** Stops everything the fixture started; never throws (it also runs after a timeout). */
    @Override
    void close();

    /** Starts a fixture; may take seconds (QUIC handshakes, proxy peers connecting). */
    @FunctionalInterface
    interface Factory {
        Fixture start() throws Exception;
    }
}
