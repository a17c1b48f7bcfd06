package org.sfkit.proxy.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the result table: a path on one engine, how to start it, and the outcome of each
 * round's cases.
 *
 * @param path {@code tcp}, {@code raw}, {@code proxy} or {@code proxy-2proc}
 * @param engine the QUIC engine's name, {@code null} for TCP
 * @param unavailable why the path cannot run here (engine missing), or {@code null}
 */
record PathResults(String path, String engine, Fixture.Factory factory, String unavailable,
                   List<Outcome<Throughput>> single, List<Outcome<Throughput>> parallel, List<Outcome<Latency>> latency) {

    PathResults(String path, String engine, Fixture.Factory factory, String unavailable) {
        this(path, engine, factory, unavailable, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    String label() {
        return engine == null ? path : path + "/" + engine;
    }
}
