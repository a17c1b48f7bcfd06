package org.sfkit.proxy.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.netty.NettyQuicEngine;

/**
 * Loopback benchmark of every path side by side, in one run: direct TCP (baseline), raw QUIC
 * streams per engine, and the proxy path per engine (SOCKS client, two proxy nodes, QUIC, TCP to
 * the service). Prints progress per case, then a table of medians over the rounds and the
 * acceptance targets. A failing case prints "timeout" or "error" and the run goes on; the exit
 * status is non-zero only for bad options. See docs/benchmark.md.
 *
 * <p>{@code java -cp agent/target/sfkit-proxy.jar org.sfkit.proxy.bench.Benchmark [options]}
 */
public final class Benchmark {
    /** Parallel connections of the multi-connection case: a typical MPC tool's threads per peer. */
    static final int PARALLEL_CONNECTIONS = 8;
    /** The path of Netty's own QUIC with plain handlers ({@link NettyDirectFixture}); Netty engine only. */
    static final String NETTY_DIRECT = "netty-direct";

    private final BenchOptions options;
    private final CaseRunner runner;
    private final BenchIdentities identities;

    private Benchmark(BenchOptions options, BenchIdentities identities) {
        this.options = options;
        this.runner = new CaseRunner(options.writeKiB() * 1024, options.caseTimeout());
        this.identities = identities;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(BenchOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        // The nodes and the SOCKS server log every connection at INFO; the table is the output here.
        Logger.getLogger("").setLevel(Level.WARNING);
        System.out.println(Machine.describe());
        System.out.println("options: " + options);
        System.out.println("before: " + Machine.load());
        List<PathResults> results = new Benchmark(options, BenchIdentities.generate()).run();
        System.out.println("after: " + Machine.load());
        System.out.println();
        ResultTable.print(results, System.out);
        // Engine threads of a timed-out case may still be stuck; they must not keep the JVM alive.
        System.exit(0);
    }

    private List<PathResults> run() {
        List<PathResults> paths = paths();
        for (int round = 0; round < options.rounds(); round++) {
            for (int i = 0; i < paths.size(); i++) {
                // Rotate the order each round so no path always runs first (cold) or last.
                PathResults p = paths.get((i + round) % paths.size());
                if (p.unavailable() == null) {
                    runRound(p, round + 1);
                }
            }
        }
        return paths;
    }

    private List<PathResults> paths() {
        Map<String, QuicEngine> engines = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        for (String name : options.engines()) {
            try {
                engines.put(name, QuicEngines.select(name));
            } catch (RuntimeException e) {
                unavailable.put(name, CaseRunner.rootMessage(e));
            }
        }
        List<PathResults> paths = new ArrayList<>();
        if (options.paths().contains("tcp")) {
            paths.add(new PathResults("tcp", null, TcpFixture::new, null));
        }
        for (String name : options.engines()) {
            QuicEngine engine = engines.get(name);
            String why = unavailable.get(name);
            if (options.paths().contains(NETTY_DIRECT) && engine instanceof NettyQuicEngine netty) {
                paths.add(new PathResults(NETTY_DIRECT, name, () -> new NettyDirectFixture(netty, identities), why));
            }
            if (options.paths().contains("raw")) {
                paths.add(new PathResults("raw", name, () -> new RawEngineFixture(engine, identities), why));
            }
            if (options.paths().contains("proxy")) {
                paths.add(new PathResults("proxy", name, () -> new ProxyFixture(() -> freshEngine(name), identities), why));
            }
            if (options.paths().contains("proxy-2proc")) {
                paths.add(new PathResults("proxy-2proc", name, () -> new ProcessProxyFixture(name, identities), why));
            }
        }
        return paths;
    }

    /** An engine with event loops of its own (QuicEngines shares one Netty engine per JVM). */
    private static QuicEngine freshEngine(String name) {
        return QuicEngines.NETTY.equals(name) ? new NettyQuicEngine() : QuicEngines.select(name);
    }

    private void runRound(PathResults p, int round) {
        String label = "[round " + round + "] " + p.label();
        System.gc(); // garbage of the previous path is not collected on this one's clock (best effort)
        long size = options.sizeBytes(p.engine());
        Outcome<Fixture> fixture = warmUp(p, start(p, label), label);
        fixture = measure(p, fixture, label, "1 conn", f -> runner.throughput(f, 1, size), p.single());
        fixture = measure(p, fixture, label, PARALLEL_CONNECTIONS + " conns",
                f -> runner.throughput(f, PARALLEL_CONNECTIONS, size), p.parallel());
        fixture = measure(p, fixture, label, "ping-pong",
                f -> runner.pingPong(f, options.rttWarmUp(), options.rttCount()), p.latency());
        if (fixture.isOk()) {
            fixture.value().close();
        }
    }

    /** Unmeasured transfers over a fresh path, so its cases measure compiled code, not the JIT. */
    private Outcome<Fixture> warmUp(PathResults p, Outcome<Fixture> fixture, String label) {
        long size = options.warmUpBytes(p.engine());
        if (size == 0 || !fixture.isOk()) {
            return fixture;
        }
        for (int connections : new int[] {1, PARALLEL_CONNECTIONS}) {
            Outcome<Throughput> warm = runner.throughput(fixture.value(), connections, size);
            if (!warm.isOk()) {
                System.out.println(label + " warm-up: " + warm.failure());
                fixture.value().close();
                return start(p, label);
            }
        }
        return fixture;
    }

    private Outcome<Fixture> start(PathResults p, String label) {
        Outcome<Fixture> started = runner.start(p.factory());
        if (!started.isOk()) {
            System.out.println(label + " start: " + started.failure());
        }
        return started;
    }

    /**
     * Runs one case and records its outcome (a fixture that failed to start fails the case with
     * its reason). After a failure the fixture may hold a stalled connection, so the next case
     * gets a fresh one, which is returned.
     */
    private <T> Outcome<Fixture> measure(PathResults p, Outcome<Fixture> fixture, String label, String what,
                                         Function<Fixture, Outcome<T>> measurement, List<Outcome<T>> into) {
        if (!fixture.isOk()) {
            into.add(Outcome.failed(fixture.failure() + " (starting the path)"));
            return fixture;
        }
        Outcome<T> outcome = measurement.apply(fixture.value());
        into.add(outcome);
        System.out.println(label + " " + what + ": "
                + (outcome.isOk() ? ResultTable.describe(outcome.value()) : outcome.failure()));
        if (outcome.isOk()) {
            return fixture;
        }
        fixture.value().close();
        return start(p, label);
    }
}
