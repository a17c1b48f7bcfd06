package org.sfkit.proxy.quic.kwik;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sfkit.proxy.quic.QuicStream;

/**
 * One stream of 1 GiB over loopback in one JVM; prints MB/s (no assertion: numbers vary by
 * machine). Not picked up by a plain {@code mvn test}; run with
 * {@code mvn -pl runtime test -Dtest=KwikThroughputBenchmark}.
 */
@Tag("benchmark")
class KwikThroughputBenchmark {
    private static final long SIZE = Long.getLong("sfkit.bench.bytes", 1L << 30);
    private static final int WRITE_SIZE = 64 * 1024;

    @Test
    void oneStreamOneGiB() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (KwikPair pair = KwikPair.connect(new KwikEngine())) {
            QuicStream out = pair.client.openStream();
            long start = System.nanoTime();
            Future<byte[]> sent = pool.submit(() -> KwikPair.writeRandom(out.output(), SIZE, WRITE_SIZE, 1));
            byte[] received = KwikPair.digestAll(pair.nextServerStream().input());
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean intact = java.util.Arrays.equals(sent.get(), received);
            System.out.printf("kwik one stream: %d MiB in %.1f s = %.1f MB/s (intact: %s)%n",
                    SIZE >> 20, seconds, SIZE / seconds / 1e6, intact);
        } finally {
            pool.shutdownNow();
        }
    }
}
