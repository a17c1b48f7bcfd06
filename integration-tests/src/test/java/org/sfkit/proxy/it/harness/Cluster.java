package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * N parties on 127.0.0.1, each one proxy process with static peers (party i is {@code 10.0.0.i}),
 * plus one {@link EofEchoServer} that every party reaches as its own {@code 127.0.0.1:echoPort}.
 * {@link #start} returns when every party has opened a tunnel to every other one.
 */
public final class Cluster implements AutoCloseable {
    /** Bind-then-close port races with the rest of the machine are rare; three tries end them. */
    private static final int START_ATTEMPTS = 3;
    /** Links come up after "proxy ready" (QUIC handshakes); generous for a loaded CI machine. */
    private static final Duration MESH_TIMEOUT = Duration.ofSeconds(60);
    /** Pause between probes while links come up. */
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(250);

    private final String engine;
    private final ProxyProcess[] proxies;
    private final int[] socksPorts;
    private final EofEchoServer echo;

    private Cluster(String engine, ProxyProcess[] proxies, int[] socksPorts, EofEchoServer echo) {
        this.engine = engine;
        this.proxies = proxies;
        this.socksPorts = socksPorts;
        this.echo = echo;
    }

    /** The virtual address of party {@code pid}, as apps name it. */
    public static String partyHost(int pid) {
        return "10.0.0." + pid;
    }

    /**
     * @param name where the logs go: target/it/logs/{name}/party{i}.log
     */
    public static Cluster start(String name, String engine, int parties) throws IOException, InterruptedException {
        PartyIdentity[] identities = new PartyIdentity[parties];
        for (int pid = 0; pid < parties; pid++) {
            identities[pid] = PartyIdentity.of(pid);
        }
        EofEchoServer echo = EofEchoServer.start();
        ProxyProcess.StartFailure last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] udpPorts = ports(parties);
            int[] socksPorts = ports(parties);
            ProxyProcess[] proxies = new ProxyProcess[parties];
            try {
                // All at once: JVM starts overlap, and a client that comes up before its server
                // retries (the proxy keeps dialing its static peers).
                for (int pid = 0; pid < parties; pid++) {
                    proxies[pid] = ProxyProcess.launch(name + "/party" + pid,
                            arguments(pid, engine, identities, udpPorts, socksPorts),
                            ItEnvironment.workDir("logs/" + name).resolve("party" + pid + ".log"));
                }
                for (ProxyProcess proxy : proxies) {
                    proxy.awaitReady();
                }
                echo.identifyCallersAmong(Arrays.stream(proxies).map(ProxyProcess::pid).toList());
                Cluster cluster = new Cluster(engine, proxies, socksPorts, echo);
                cluster.awaitMesh();
                return cluster;
            } catch (ProxyProcess.StartFailure e) {
                last = e;
                closeAll(proxies);
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                closeAll(proxies);
                echo.close();
                throw e;
            }
        }
        echo.close();
        throw last;
    }

    private static int[] ports(int count) {
        int[] ports = new int[count];
        Arrays.setAll(ports, i -> FreePorts.next());
        return ports;
    }

    private static List<String> arguments(int pid, String engine, PartyIdentity[] identities,
                                          int[] udpPorts, int[] socksPorts) {
        List<String> args = new ArrayList<>(List.of("-v",
                "-pid", Integer.toString(pid),
                "-socks", "socks5://127.0.0.1:" + socksPorts[pid],
                // Loopback only: the tests never expose a socket beyond this machine.
                "--udp-host", "127.0.0.1",
                "--udp-port", Integer.toString(udpPorts[pid]),
                "--cert", identities[pid].cert().toString(),
                "--key", identities[pid].key().toString(),
                "--quic-engine", engine));
        for (int peer = 0; peer < identities.length; peer++) {
            if (peer != pid) {
                args.addAll(List.of("--peer", peer + "=127.0.0.1:" + udpPorts[peer],
                        "--peer-cert", peer + "=" + identities[peer].cert()));
            }
        }
        return args;
    }

    /** Probes every ordered pair with a real round trip until it works or the deadline passes. */
    private void awaitMesh() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + MESH_TIMEOUT.toNanos();
        for (int from = 0; from < proxies.length; from++) {
            for (int to = 0; to < proxies.length; to++) {
                if (from == to) {
                    continue;
                }
                String failure = probe(from, to);
                while (failure != null) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("no tunnel from party " + from + " to party " + to
                                + " within " + MESH_TIMEOUT + " (" + failure + "); logs: "
                                + proxies[from].log() + ", " + proxies[to].log());
                    }
                    Thread.sleep(PROBE_INTERVAL.toMillis());
                    failure = probe(from, to);
                }
            }
        }
    }

    /** Null when a round trip from {@code from} to {@code to}'s echo service worked, else why not. */
    private String probe(int from, int to) {
        byte[] ping = ("probe " + from + "->" + to).getBytes(StandardCharsets.US_ASCII);
        try {
            Socks5Client.Reply reply = Socks5Client.connect(socks(from), partyHost(to), echo.port(),
                    Socks5Client.AddressType.IPV4);
            if (reply.code() != Socks5Client.SUCCEEDED) {
                return "SOCKS reply " + reply.code();
            }
            try (Socket socket = reply.socket()) {
                OutputStream out = socket.getOutputStream();
                out.write(ping);
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                return Arrays.equals(in.readAllBytes(), ping) ? null : "echo differs";
            }
        } catch (IOException e) {
            return e.toString();
        }
    }

    public String engine() {
        return engine;
    }

    public int size() {
        return proxies.length;
    }

    /** Party {@code pid}'s SOCKS listener. */
    public InetSocketAddress socks(int pid) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socksPorts[pid]);
    }

    /** The echo service's port, reachable through every party as 10.0.0.i:echoPort. */
    public int echoPort() {
        return echo.port();
    }

    public EofEchoServer echo() {
        return echo;
    }

    public ProxyProcess proxy(int pid) {
        return proxies[pid];
    }

    private static void closeAll(ProxyProcess[] proxies) {
        for (ProxyProcess proxy : proxies) {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeAll(proxies);
        echo.close();
    }
}
