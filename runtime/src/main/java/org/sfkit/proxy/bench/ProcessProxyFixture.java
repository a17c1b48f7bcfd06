package org.sfkit.proxy.bench;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sfkit.proxy.tls.Pem;

/**
 * Path (d): the proxy path between two proxy processes started from the command line, as an
 * operator runs them ({@code org.sfkit.proxy.cli.Main} in static mode, on this JVM's class path).
 * The client and the {@link BenchService} stay in this JVM; CPU time adds both processes.
 */
final class ProcessProxyFixture implements Fixture {
    /**
     * Two JVM start-ups plus the QUIC handshake: seconds on a quiet machine, but 10-30 s were seen
     * on a 2-core machine with a load average above 20.
     */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** Pause between readiness probes while the processes start. */
    private static final Duration READY_POLL = Duration.ofMillis(250);
    /** SIGTERM first so the proxies close cleanly; then kill. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final BenchService service;
    private final Path directory;
    private final List<Process> proxies = new ArrayList<>();
    private final InetSocketAddress socks1;

    ProcessProxyFixture(String engine, BenchIdentities ids) throws IOException, InterruptedException {
        service = BenchService.startTcp();
        directory = Files.createTempDirectory("sfkit-bench-");
        try {
            Pem.writeIdentity(ids.server(), directory.resolve("p0.pem"), directory.resolve("p0.key"));
            Pem.writeIdentity(ids.client(), directory.resolve("p1.pem"), directory.resolve("p1.key"));
            // Free ports picked by binding and releasing: another program could take one in
            // between (then this path reports an error, nothing worse).
            int udp0 = freeUdpPort();
            int udp1 = freeUdpPort();
            socks1 = new InetSocketAddress(InetAddress.getLoopbackAddress(), freeTcpPort());
            proxies.add(startProxy(0, freeTcpPort(), udp0, 1, udp1, engine));
            proxies.add(startProxy(1, socks1.getPort(), udp1, 0, udp0, engine));
            awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Process startProxy(int pid, int socksPort, int udpPort, int peer, int peerUdpPort, String engine)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-cp", absoluteClassPath(), "org.sfkit.proxy.cli.Main",
                "-pid", Integer.toString(pid),
                "-socks", "socks5://127.0.0.1:" + socksPort,
                "--udp-host", "127.0.0.1", "--udp-port", Integer.toString(udpPort),
                "--cert", directory.resolve("p" + pid + ".pem").toString(),
                "--key", directory.resolve("p" + pid + ".key").toString(),
                "--peer", peer + "=127.0.0.1:" + peerUdpPort,
                "--peer-cert", peer + "=" + directory.resolve("p" + peer + ".pem"),
                "--quic-engine", engine);
        // The working directory is the empty temporary one: no stray configGlobal.toml is read.
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(directory.resolve("p" + pid + ".log").toFile()).start();
        // A case abandoned at its deadline may still be starting when the benchmark exits: the
        // proxies must not outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "bench-proxy-reaper"));
        return process;
    }

    /** This JVM's class path with absolute entries: the proxies run in another working directory. */
    private static String absoluteClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Ready once a connection through both proxies reaches the service (an echo round trip). */
    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            for (Process p : proxies) {
                if (!p.isAlive()) {
                    throw new IOException("proxy process exited with " + p.exitValue() + ": " + logTail());
                }
            }
            try (Duplex d = connect()) {
                d.out().write(BenchService.MODE_ECHO);
                d.out().write(1);
                d.out().flush();
                if (d.in().read() == 1) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(READY_POLL.toMillis());
        }
        throw new IOException("proxy processes not ready after " + READY_TIMEOUT.toSeconds() + " s (last: "
                + (last == null ? "-" : last.getMessage()) + "): " + logTail());
    }

    private String logTail() {
        StringBuilder tail = new StringBuilder();
        for (int pid = 0; pid < 2; pid++) {
            try {
                List<String> lines = Files.readAllLines(directory.resolve("p" + pid + ".log"));
                tail.append(" [p").append(pid).append("] ")
                        .append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            } catch (IOException e) {
                tail.append(" [p").append(pid).append("] no log");
            }
        }
        return tail.toString();
    }

    @Override
    public Duplex connect() throws IOException {
        Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, socks1));
        try {
            socket.connect(InetSocketAddress.createUnresolved("10.0.0.0", service.port()), CONNECT_TIMEOUT_MILLIS);
            return Duplex.of(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public long cpuNanos() {
        long total = ProcessCpu.self();
        for (Process p : proxies) {
            total += ProcessCpu.of(p.toHandle());
        }
        return total;
    }

    @Override
    public void close() {
        proxies.forEach(Process::destroy);
        for (Process p : proxies) {
            try {
                if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        service.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
