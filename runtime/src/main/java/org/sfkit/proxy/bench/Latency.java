package org.sfkit.proxy.bench;

import java.util.Arrays;

/** Round-trip times of 1-byte ping-pongs, in microseconds. */
record Latency(double medianMicros, double p99Micros) {
    static Latency of(long[] roundTripNanos) {
        long[] sorted = roundTripNanos.clone();
        Arrays.sort(sorted);
        return new Latency(sorted[sorted.length / 2] / 1e3, sorted[percentileIndex(sorted.length, 0.99)] / 1e3);
    }

    /** Nearest-rank percentile: the smallest sample with at least {@code p} of all at or below it. */
    private static int percentileIndex(int n, double p) {
        return Math.max(0, (int) Math.ceil(p * n) - 1);
    }
}
