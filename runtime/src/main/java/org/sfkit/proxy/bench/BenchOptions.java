package org.sfkit.proxy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Command-line options of {@link Benchmark}; every one has a default sized for a 2-core machine. */
record BenchOptions(long sizeMiB, long kwikSizeMiB, long warmUpMiB, int rounds, int rttCount, int rttWarmUp, int writeKiB,
                    Duration caseTimeout, List<String> engines, List<String> paths) {

    static final String USAGE = """
            usage: java -cp sfkit-proxy.jar org.sfkit.proxy.bench.Benchmark [options]
              --size-mib N       payload per throughput case, all connections together (default 512)
              --kwik-size-mib N  the same for kwik cases, ~10x slower than Netty (default 128)
              --warmup-mib N     unmeasured payload sent over 1, then 8 connections each time a path
                                 starts, before its cases: JIT compilation off the clock (default 256;
                                 kwik: at most --kwik-size-mib; 0: none)
              --rounds N         rounds; paths alternate within each, medians are reported (default 3)
              --rtt-count N      recorded 1-byte round trips per latency case (default 10000)
              --rtt-warmup N     unrecorded round trips before them (default 1000)
              --write-kib N      bytes per write() call, in KiB, 1..64 (default 64)
              --timeout-s N      deadline of one case; it then reports "timeout" (default 120)
              --engines LIST     QUIC engines, comma-separated: kwik,netty (default both)
              --paths LIST       tcp,netty-direct,raw,proxy,proxy-2proc (default all; netty-direct: Netty engine only)
            """;

    static final List<String> ENGINES = List.of("kwik", "netty");
    static final List<String> PATHS = List.of("tcp", Benchmark.NETTY_DIRECT, "raw", "proxy", "proxy-2proc");

    /** @throws IllegalArgumentException with a message naming the bad option (empty for --help) */
    static BenchOptions parse(String[] args) {
        long sizeMiB = 512;
        long kwikSizeMiB = 128;
        // A proxy serves a study for hours: steady state is what counts. A fresh JVM compiled
        // hot code during the first ~0.5 GiB (C2 threads took ~20 % of the CPU of a 2 GiB run).
        long warmUpMiB = 256;
        long rounds = 3;
        long rttCount = 10_000;
        long rttWarmUp = 1_000;
        long writeKiB = 64;
        long timeoutSeconds = 120;
        List<String> engines = ENGINES;
        List<String> paths = PATHS;
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--size-mib" -> sizeMiB = number(flag, value, 1);
                case "--kwik-size-mib" -> kwikSizeMiB = number(flag, value, 1);
                case "--warmup-mib" -> warmUpMiB = number(flag, value, 0);
                case "--rounds" -> rounds = number(flag, value, 1);
                case "--rtt-count" -> rttCount = number(flag, value, 1);
                case "--rtt-warmup" -> rttWarmUp = number(flag, value, 0);
                case "--write-kib" -> writeKiB = number(flag, value, 1);
                case "--timeout-s" -> timeoutSeconds = number(flag, value, 1);
                case "--engines" -> engines = list(flag, value, ENGINES);
                case "--paths" -> paths = list(flag, value, PATHS);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (writeKiB > 64) {
            throw new IllegalArgumentException("--write-kib must be 1..64");
        }
        return new BenchOptions(sizeMiB, kwikSizeMiB, warmUpMiB, (int) rounds, (int) rttCount, (int) rttWarmUp, (int) writeKiB,
                Duration.ofSeconds(timeoutSeconds), engines, paths);
    }

    /** Payload bytes of one throughput case on {@code engine} ({@code null} for TCP). */
    long sizeBytes(String engine) {
        return ("kwik".equals(engine) ? kwikSizeMiB : sizeMiB) << 20;
    }

    /** Warm-up payload per connection count on {@code engine}; kwik's is capped at its case size. */
    long warmUpBytes(String engine) {
        return ("kwik".equals(engine) ? Math.min(warmUpMiB, kwikSizeMiB) : warmUpMiB) << 20;
    }

    private static long number(String flag, String value, long min) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + value + "'");
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(flag + " must be " + min + ".." + Integer.MAX_VALUE);
        }
        return n;
    }

    private static List<String> list(String flag, String value, List<String> allowed) {
        List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String item : items) {
            if (!allowed.contains(item)) {
                throw new IllegalArgumentException(flag + ": unknown '" + item + "' (known: " + String.join(",", allowed) + ")");
            }
        }
        return items;
    }
}
