package org.sfkit.proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.sfkit.proxy.config.VirtualAddressPlan;
import org.sfkit.proxy.logging.Logging;
import org.sfkit.proxy.auth.AuthorizationHeader;
import org.sfkit.proxy.ice.IceOptions;
import org.sfkit.proxy.ice.StunBindingResponder;
import org.sfkit.proxy.node.PeerStatus;
import org.sfkit.proxy.node.SignalledConfig;
import org.sfkit.proxy.node.SignalledNode;
import org.sfkit.proxy.signal.server.SignalingServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Three parties in one JVM on loopback that find each other the way real ones do: through an
 * in-process signalling server and STUN responder (signalling mode: credentials, candidates, ICE,
 * certificates, QUIC on the ICE socket). Each has its own SOCKS server and echo service; every
 * party sends data through its SOCKS server to every other party's echo service at
 * {@code 10.0.0.j:port} (a label: nothing dials 10.0.0.0/24) and checks what comes back.
 */
@Command(name = "demo", sortOptions = false,
        header = "Three parties on loopback in this JVM: end-to-end check and throughput report.",
        description = "Runs a signalling server, a STUN responder and parties 0, 1 and 2 in this JVM on loopback; "
                + "the parties find each other through signalling and ICE, then each sends data through its SOCKS "
                + "server to every other party's echo service at 10.0.0.N:port, checking the SHA-256 of what comes "
                + "back. Prints per pair the ICE path, link setup time, bytes and throughput; exits 1 on any failure.")
final class DemoCommand implements Callable<Integer> {
    private static final int PARTIES = 3;
    /** ICE, certificates and QUIC on loopback take seconds on a cold JVM; 30 s only catches a party that never connects. */
    private static final Duration PEER_WAIT = Duration.ofSeconds(30);
    /** A transfer that stalls this long has failed (no progress at all, not a slow link). */
    private static final int STALL_TIMEOUT_MILLIS = 60_000;
    /** Write and read chunk: large enough that per-call overhead does not show in the numbers. */
    private static final int CHUNK = 256 * 1024;
    private static final String STUDY = "demo";

    @Spec
    CommandSpec spec;

    @Option(names = "--size", paramLabel = "MiB", defaultValue = "64",
            description = "Data each party sends to each other party (echoed back). Default: ${DEFAULT-VALUE}")
    int sizeMiB;

    @Option(names = "--quic-engine", paramLabel = "auto|netty|kwik", defaultValue = "auto",
            description = "QUIC implementation. Default: ${DEFAULT-VALUE}")
    String quicEngine;

    @Option(names = {"-v", "--v"}, description = "More log output; repeat for debug and trace.")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** @param setupNanos from the start of the ICE attempt to the authenticated QUIC connection */
    record PairResult(int from, int to, String engine, String path, long setupNanos, long bytes, long transferNanos) {
        double megabytesPerSecond() {
            return bytes / 1e6 / (transferNanos / 1e9);
        }
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose.length, System.out);
        if (sizeMiB < 1) {
            throw new ConfigException("--size must be at least 1 MiB");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<RunningProxy> proxies = new ArrayList<>();
        List<EchoService> echoes = new ArrayList<>();
        List<AutoCloseable> servers = new ArrayList<>();
        try {
            try {
                startParties(servers, proxies);
            } catch (IOException e) {
                throw new ConfigException("demo failed: cannot start the parties: " + e.getMessage(), e);
            }
            for (int i = 0; i < PARTIES; i++) {
                echoes.add(EchoService.start());
            }
            List<PairResult> results = new ArrayList<>();
            for (int from = 0; from < PARTIES; from++) {
                for (int to = 0; to < PARTIES; to++) {
                    if (from != to) {
                        try {
                            results.add(transfer(proxies.get(from), from, to, echoes.get(to).port()));
                        } catch (IOException | ExecutionException e) {
                            throw new ConfigException("demo failed: pair " + from + "->" + to + ": "
                                    + (e instanceof ExecutionException ? e.getCause() : e), e);
                        }
                    }
                }
            }
            printReport(out, results);
            return 0;
        } finally {
            echoes.forEach(EchoService::close);
            proxies.forEach(RunningProxy::close);
            for (AutoCloseable server : servers) {
                server.close();
            }
        }
    }

    /**
     * Starts the signalling server (one key per party), the STUN responder and the parties, all on
     * loopback ephemeral ports; each party knows the others' ids only (as from {@code --parties}).
     */
    private void startParties(List<AutoCloseable> servers, List<RunningProxy> proxies) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<String> keys = IntStream.range(0, PARTIES).mapToObj(i -> "demo-key-" + i).toList();
        SignalingServer signalling = SignalingServer.start(new InetSocketAddress(loopback, 0), Map.of(STUDY, keys));
        servers.add(signalling);
        StunBindingResponder stun = StunBindingResponder.start(new InetSocketAddress(loopback, 0));
        servers.add(stun);
        URI api = URI.create("ws://" + RunningProxy.hostPort(signalling.address()) + "/api/ice");
        for (int i = 0; i < PARTIES; i++) {
            int self = i;
            Set<Integer> others = Set.copyOf(IntStream.range(0, PARTIES).filter(j -> j != self).boxed().toList());
            SignalledConfig config = new SignalledConfig(i, api, STUDY, AuthorizationHeader.key(keys.get(i)), others,
                    new IceOptions(List.of(loopback), List.of(stun.address())), RunCommand.selectEngine(quicEngine),
                    SignalledNode.settings());
            proxies.add(RunningProxy.withSocks(SignalledNode.start(config), "signalling=" + api,
                    new InetSocketAddress(loopback, 0), new VirtualAddressPlan(), null));
        }
        for (RunningProxy proxy : proxies) {
            if (!proxy.node().awaitPeers(PEER_WAIT)) {
                throw new ConfigException("demo failed: party " + proxy.node().pid() + " reached only parties "
                        + proxy.node().connectedPeers() + " of the other " + (PARTIES - 1) + " within " + PEER_WAIT.toSeconds()
                        + " s (engine " + proxy.node().engineName() + ")");
            }
        }
    }

    private PairResult transfer(RunningProxy proxy, int from, int to, int echoPort)
            throws IOException, ExecutionException, InterruptedException {
        long bytes = (long) sizeMiB << 20;
        try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.socksAddress()))) {
            socket.setSoTimeout(STALL_TIMEOUT_MILLIS);
            long start = System.nanoTime();
            // Unresolved: the JDK sends the name in the SOCKS request and never dials 10.0.0.j itself.
            socket.connect(InetSocketAddress.createUnresolved(VirtualAddressPlan.addressOf(to), echoPort), STALL_TIMEOUT_MILLIS);
            long connected = System.nanoTime();
            CompletableFuture<byte[]> sent = CompletableFuture.supplyAsync(() -> send(socket, bytes, from * PARTIES + to));
            Received received = receive(socket.getInputStream());
            byte[] sentDigest = sent.get();
            long done = System.nanoTime();
            if (received.bytes() != bytes || !Arrays.equals(sentDigest, received.digest())) {
                throw new IOException("echo mismatch: sent " + bytes + " bytes, got " + received.bytes()
                        + (received.bytes() == bytes ? " with a different SHA-256" : ""));
            }
            PeerStatus link = ((SignalledNode) proxy.node()).peerStatus().stream().filter(p -> p.pid() == to).findFirst()
                    .orElseThrow(() -> new IOException("party " + from + " has no link to party " + to + " anymore"));
            String path = link.path() == null ? "?" : link.path().kind();
            return new PairResult(from, to, proxy.node().engineName(), path, link.setup().toNanos(), bytes, done - connected);
        }
    }

    /** Writes {@code bytes} pseudo-random bytes, then half-closes; returns their SHA-256. */
    private static byte[] send(Socket socket, long bytes, long seed) {
        try {
            MessageDigest digest = sha256();
            SplittableRandom random = new SplittableRandom(seed);
            byte[] chunk = new byte[CHUNK];
            OutputStream out = socket.getOutputStream();
            for (long left = bytes; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                random.nextBytes(chunk);
                out.write(chunk, 0, n);
                digest.update(chunk, 0, n);
                left -= n;
            }
            out.flush();
            socket.shutdownOutput();
            return digest.digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Received(long bytes, byte[] digest) {
    }

    private static Received receive(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return new Received(total, digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void printReport(PrintWriter out, List<PairResult> results) {
        out.printf("%-6s %-7s %-6s %10s %12s %9s%n", "pair", "engine", "path", "setup ms", "bytes", "MB/s");
        for (PairResult r : results) {
            out.printf("%-6s %-7s %-6s %10.1f %12d %9.1f%n", r.from() + "->" + r.to(), r.engine(), r.path(),
                    r.setupNanos() / 1e6, r.bytes(), r.megabytesPerSecond());
        }
        out.println("all " + results.size() + " pairs ok (bytes sent each way, echoed and SHA-256 checked; MB/s = 10^6 bytes/s one way;"
                + " setup = ICE, certificates and QUIC of the pair's link; path = the ICE pair's candidate types)");
        out.flush();
    }

    /** Party j's local service: echoes every connection and half-closes after the client does. */
    private static final class EchoService implements AutoCloseable {
        private final ServerSocket server;

        private EchoService(ServerSocket server) {
            this.server = server;
        }

        static EchoService start() throws IOException {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            EchoService echo = new EchoService(server);
            Thread acceptor = new Thread(echo::acceptLoop, "demo-echo-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return echo;
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    Thread worker = new Thread(() -> echo(connection), "demo-echo-connection");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private static void echo(Socket connection) {
            try (connection) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                byte[] buffer = new byte[CHUNK];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
                connection.shutdownOutput();
            } catch (IOException e) {
                // The client sees the broken echo as a mismatch or reset and reports it.
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }
}
