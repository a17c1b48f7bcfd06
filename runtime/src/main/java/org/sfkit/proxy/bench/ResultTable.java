package org.sfkit.proxy.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** Prints medians over the rounds, the ratios between paths, and the acceptance targets. */
final class ResultTable {
    /** Acceptance target: the proxy path keeps this share of the raw engine's throughput. */
    static final double PROXY_VS_RAW_TARGET = 0.80;
    /** Acceptance target: MB/s per peer pair through SOCKS with the Netty engine. */
    static final double NETTY_PROXY_TARGET_MBPS = 150;

    private static final String ROW = "%-12s %-6s %10s %10s %9s %9s %9s %9s %11s %11s%n";

    private ResultTable() {
    }

    static String describe(Object measurement) {
        if (measurement instanceof Throughput t) {
            return String.format("%.1f MB/s, %.1f CPU-s/GiB", t.megabytesPerSecond(), t.cpuSecondsPerGiB());
        }
        if (measurement instanceof Latency l) {
            return String.format("median %.1f us, p99 %.1f us", l.medianMicros(), l.p99Micros());
        }
        return String.valueOf(measurement);
    }

    static void print(List<PathResults> rows, PrintStream out) {
        Set<String> notes = new LinkedHashSet<>();
        out.printf(ROW, "path", "engine", "MB/s 1c", "MB/s 8c", "RTT med", "RTT p99", "CPU/GiB 1c", "CPU/GiB 8c",
                "/ref 1c|8c", "/TCP 1c|8c");
        out.printf(ROW, "", "", "", "", "us", "us", "s", "s", "", "");
        PathResults tcp = find(rows, "tcp", null).orElse(null);
        for (PathResults r : rows) {
            String engine = r.engine() == null ? "-" : r.engine();
            if (r.unavailable() != null) {
                out.printf("%-12s %-6s unavailable: %s%n", r.path(), engine, r.unavailable());
                continue;
            }
            PathResults ref = reference(rows, r);
            out.printf(ROW, r.path(), engine,
                    cell(r, r.single(), Throughput::megabytesPerSecond, "%.1f", notes),
                    cell(r, r.parallel(), Throughput::megabytesPerSecond, "%.1f", notes),
                    cell(r, r.latency(), Latency::medianMicros, "%.1f", notes),
                    cell(r, r.latency(), Latency::p99Micros, "%.1f", notes),
                    cell(r, r.single(), Throughput::cpuSecondsPerGiB, "%.1f", notes),
                    cell(r, r.parallel(), Throughput::cpuSecondsPerGiB, "%.1f", notes),
                    ref == null ? "" : ratio(r, ref),
                    tcp == null || r == tcp ? "" : ratio(r, tcp));
        }
        out.println();
        out.println("Medians over rounds; MB = 10^6 bytes; CPU = process CPU seconds per GiB of payload"
                + " (in-process paths: both ends and the client; proxy-2proc: both proxy processes plus this JVM).");
        notes.forEach(n -> out.println("* " + n));
        out.println();
        printTargets(rows, out);
    }

    private static void printTargets(List<PathResults> rows, PrintStream out) {
        out.println("Acceptance targets:");
        for (PathResults r : rows) {
            if (!r.path().startsWith("proxy") || r.unavailable() != null) {
                continue;
            }
            find(rows, "raw", r.engine()).filter(raw -> raw.unavailable() == null).ifPresent(raw -> {
                for (int i = 0; i < 2; i++) {
                    List<Outcome<Throughput>> mine = i == 0 ? r.single() : r.parallel();
                    List<Outcome<Throughput>> theirs = i == 0 ? raw.single() : raw.parallel();
                    Double share = divide(median(mine, Throughput::megabytesPerSecond), median(theirs, Throughput::megabytesPerSecond));
                    out.printf("  %-18s >= %.0f%% of %-10s %-8s: %s%n", r.label(), PROXY_VS_RAW_TARGET * 100, raw.label(),
                            i == 0 ? "1 conn" : Benchmark.PARALLEL_CONNECTIONS + " conns",
                            share == null ? "n/a" : String.format("%.0f%% %s", share * 100, verdict(share >= PROXY_VS_RAW_TARGET)));
                }
            });
            if ("netty".equals(r.engine())) {
                for (int i = 0; i < 2; i++) {
                    Double mbps = median(i == 0 ? r.single() : r.parallel(), Throughput::megabytesPerSecond);
                    out.printf("  %-18s >= %.0f MB/s per peer pair, %-8s: %s%n", r.label(), NETTY_PROXY_TARGET_MBPS,
                            i == 0 ? "1 conn" : Benchmark.PARALLEL_CONNECTIONS + " conns",
                            mbps == null ? "n/a" : String.format("%.1f MB/s %s", mbps, verdict(mbps >= NETTY_PROXY_TARGET_MBPS)));
                }
            }
        }
    }

    /** What a row is compared with in the /ref column: a proxy path with the raw engine, the raw engine with Netty itself. */
    private static PathResults reference(List<PathResults> rows, PathResults r) {
        if (r.path().startsWith("proxy")) {
            return find(rows, "raw", r.engine()).orElse(null);
        }
        if (r.path().equals("raw")) {
            return find(rows, Benchmark.NETTY_DIRECT, r.engine()).orElse(null);
        }
        return null;
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }

    /** {@code mine / theirs} throughput as "1c|8c". */
    private static String ratio(PathResults mine, PathResults theirs) {
        return fraction(median(mine.single(), Throughput::megabytesPerSecond), median(theirs.single(), Throughput::megabytesPerSecond))
                + "|" + fraction(median(mine.parallel(), Throughput::megabytesPerSecond), median(theirs.parallel(), Throughput::megabytesPerSecond));
    }

    private static String fraction(Double a, Double b) {
        Double q = divide(a, b);
        return q == null ? "-" : String.format("%.2f", q);
    }

    private static Double divide(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : a / b;
    }

    private static Optional<PathResults> find(List<PathResults> rows, String path, String engine) {
        return rows.stream().filter(r -> r.path().equals(path) && java.util.Objects.equals(r.engine(), engine)).findFirst();
    }

    /** The median of the successful rounds; failed rounds are footnoted. */
    private static <T> String cell(PathResults r, List<Outcome<T>> outcomes, ToDoubleFunction<T> metric, String format,
                                   Set<String> notes) {
        List<String> failures = outcomes.stream().filter(o -> !o.isOk()).map(Outcome::failure).toList();
        Double median = median(outcomes, metric);
        if (!failures.isEmpty()) {
            notes.add(r.label() + ": " + failures.size() + " of " + outcomes.size() + " rounds failed in a case: "
                    + String.join("; ", new LinkedHashSet<>(failures)));
        }
        if (median == null) {
            return failures.isEmpty() ? "-" : failures.get(0).startsWith("timeout") ? "timeout" : "error";
        }
        return String.format(format, median) + (failures.isEmpty() ? "" : "*");
    }

    static <T> Double median(List<Outcome<T>> outcomes, ToDoubleFunction<T> metric) {
        List<Double> values = new ArrayList<>();
        for (Outcome<T> o : outcomes) {
            if (o.isOk()) {
                values.add(metric.applyAsDouble(o.value()));
            }
        }
        if (values.isEmpty()) {
            return null;
        }
        values.sort(Double::compare);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }
}
