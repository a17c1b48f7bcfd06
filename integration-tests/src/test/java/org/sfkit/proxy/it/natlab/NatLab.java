package org.sfkit.proxy.it.natlab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sfkit.proxy.it.harness.ExternalCommand;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.ProxyProcess;

/**
 * Two home networks behind real Linux NATs, and the internet between them, in network namespaces
 * (needs root):
 * <pre>
 *   pub  172.31.0.1   bridge "internet": coturn (STUN), the signalling server
 *    |-- h0    172.31.0.10   party 0, public
 *    |-- nat1  172.31.0.11 / 192.168.1.1  -- h1 192.168.1.2  party 1
 *    `-- nat2  172.31.0.12 / 192.168.2.1  -- h2 192.168.2.2  party 2
 * </pre>
 * The routers MASQUERADE their LAN and drop unsolicited inbound traffic on the WAN side, INPUT
 * and FORWARD (conntrack ESTABLISHED,RELATED accepted first), as home routers do; without the
 * drop, Linux conntrack clashes during simultaneous open and changes the mapped port (field
 * notes). The parties' namespaces route only to the "internet" 172.31.0.0/24: nothing there has
 * a route to 10.0.0.0/24, so a 10.0.0.N address can only ever be a SOCKS label. Private ranges
 * are used inside the namespaces only. Names carry a random run id; {@link #close} stops every
 * process the lab started (by pid) and deletes the namespaces, and a shutdown hook does the same
 * if the test JVM ends first.
 */
public final class NatLab implements AutoCloseable {
    /** The "internet" side. */
    public static final String PUBLIC_IP = "172.31.0.1";
    public static final String H0_IP = "172.31.0.10";
    /** coturn's default STUN port (RFC 8489 section 18.4: 3478). */
    public static final int STUN_PORT = 3478;
    public static final int SIGNAL_PORT = 8000;
    private static final String INTERNET_PREFIX = "/24";
    private static final String INTERNET = "172.31.0.0" + INTERNET_PREFIX;
    /** Link and address setup of six namespaces; a command that takes this long has hung. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    /** coturn 4.6 logs this once its listeners are created. */
    private static final String STUN_READY_MARKER = "Total General servers";
    /** {@code iptables -n -v -x -L}: a rule's packet count, byte count, then its target. */
    private static final Pattern DROPPED = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+DROP\\b", Pattern.MULTILINE);

    /** Namespaces not yet deleted, deleted by a shutdown hook if the test JVM ends first. */
    private static final Set<String> LIVE_NAMESPACES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE_NAMESPACES.forEach(NatLab::deleteQuietly),
                "natlab-reaper"));
    }

    /** A machine of the lab; {@link #party} is the MPC party it runs, -1 for none. */
    public enum Node {
        PUB(-1), NAT1(-1), NAT2(-1), H0(0), H1(1), H2(2);

        final int party;

        Node(int party) {
            this.party = party;
        }

        /** The namespace where party {@code pid} runs. */
        public static Node ofParty(int pid) {
            for (Node node : values()) {
                if (node.party == pid) {
                    return node;
                }
            }
            throw new IllegalArgumentException("no party " + pid + " in the lab");
        }

        /** The router in front of this host; the host itself for the public one. */
        public Node router() {
            return switch (this) {
                case H1 -> NAT1;
                case H2 -> NAT2;
                default -> this;
            };
        }
    }

    private final String runId;
    private final String name;
    private final List<ProxyProcess> processes = Collections.synchronizedList(new ArrayList<>());

    private NatLab(String runId, String name) {
        this.runId = runId;
        this.name = name;
    }

    /**
     * Skips the calling test (a JUnit assumption, with the reason) unless it runs as root with
     * iproute2; CI does. Missing coturn or conntrack then fail the test, naming the package.
     */
    public static void assumeAvailable() throws IOException, InterruptedException {
        String uid = output(List.of("id", "-u"));
        assumeTrue("0".equals(uid), "the NAT lab needs root (network namespaces, iptables); running as uid " + uid);
        assumeTrue(onPath("ip"), "the NAT lab needs iproute2's ip command");
        for (String[] tool : new String[][] {{"iptables", "iptables"}, {"turnserver", "coturn"},
            {"conntrack", "conntrack"}, {"bash", "bash"}}) {
            if (!onPath(tool[0])) {
                throw new IllegalStateException("the NAT lab needs " + tool[0] + " (Debian package " + tool[1]
                        + "; .ci/run installs it)");
            }
        }
    }

    /** A command's stdout, stripped; a non-zero exit is an IOException. */
    private static String output(List<String> command) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExternalCommand.Result result = ExternalCommand.run(command, null, out, COMMAND_TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IOException("NAT lab: " + result.describe());
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private static boolean onPath(String tool) throws IOException, InterruptedException {
        return ExternalCommand.run(List.of("sh", "-c", "command -v " + tool), COMMAND_TIMEOUT).exitCode() == 0;
    }

    /** Builds the lab; {@code name} is where logs go: target/it/logs/{name}/. */
    public static NatLab create(String name) throws IOException, InterruptedException {
        NatLab lab = new NatLab("sfkl" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(), 6), name);
        try {
            lab.build();
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException {
        for (Node node : Node.values()) {
            String ns = namespace(node);
            output(List.of("ip", "netns", "add", ns));
            LIVE_NAMESPACES.add(ns);
            ip(node, "link", "set", "lo", "up");
        }
        ip(Node.PUB, "link", "add", "br0", "type", "bridge");
        ip(Node.PUB, "addr", "add", PUBLIC_IP + INTERNET_PREFIX, "dev", "br0");
        ip(Node.PUB, "link", "set", "br0", "up");
        for (Node node : List.of(Node.H0, Node.NAT1, Node.NAT2)) {
            // Both ends are made in their namespaces: nothing appears in the host's, so runs never clash.
            String port = "to-" + node.name().toLowerCase();
            output(List.of("ip", "link", "add", port, "netns", namespace(Node.PUB), "type", "veth",
                    "peer", "name", "wan0", "netns", namespace(node)));
            ip(Node.PUB, "link", "set", port, "master", "br0", "up");
            ip(node, "addr", "add", publicAddress(node) + INTERNET_PREFIX, "dev", "wan0");
            ip(node, "link", "set", "wan0", "up");
        }
        for (Node host : List.of(Node.H1, Node.H2)) {
            Node router = host.router();
            output(List.of("ip", "link", "add", "lan0", "netns", namespace(router), "type", "veth",
                    "peer", "name", "eth0", "netns", namespace(host)));
            ip(router, "addr", "add", lanGateway(host) + "/24", "dev", "lan0");
            ip(router, "link", "set", "lan0", "up");
            ip(host, "addr", "add", privateAddress(host) + "/24", "dev", "eth0");
            ip(host, "link", "set", "eth0", "up");
            // The internet only, no default route: 10.0.0.0/24 stays unroutable in the parties' namespaces.
            ip(host, "route", "add", INTERNET, "via", lanGateway(host));
            exec(router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            exec(router, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan0", "-j", "MASQUERADE");
            for (String chain : List.of("INPUT", "FORWARD")) {
                exec(router, "iptables", "-A", chain, "-i", "wan0", "-m", "conntrack",
                        "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
                exec(router, "iptables", "-A", chain, "-i", "wan0", "-j", "DROP");
            }
        }
    }

    /** The namespace's name, unique to this run. */
    public String namespace(Node node) {
        return runId + "-" + node.name().toLowerCase();
    }

    /** {@code ip netns exec NS}: put it before a command to run that command on {@code node}. */
    public List<String> in(Node node) {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    /** The address the "internet" sees for {@code node}: its router's WAN address behind a NAT. */
    public static String publicAddress(Node node) {
        return switch (node.router()) {
            case PUB -> PUBLIC_IP;
            case H0 -> H0_IP;
            case NAT1 -> "172.31.0.11";
            case NAT2 -> "172.31.0.12";
            default -> throw new IllegalArgumentException(node + " has no public address");
        };
    }

    /** A NATed host's own (private) address. */
    public static String privateAddress(Node host) {
        return "192.168." + host.party + ".2";
    }

    private static String lanGateway(Node host) {
        return "192.168." + host.party + ".1";
    }

    /** Runs {@code command} on {@code node} to completion; returns its stdout; a non-zero exit is an IOException. */
    public String exec(Node node, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(in(node));
        full.addAll(List.of(command));
        return output(full);
    }

    private void ip(Node node, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", namespace(node)));
        command.addAll(List.of(arguments));
        output(command);
    }

    /** coturn as a STUN-only server on {@value #PUBLIC_IP}:{@value #STUN_PORT}, no TLS, its own settings only. */
    public ProxyProcess startStun() throws IOException {
        Path work = ItEnvironment.workDir("natlab/" + runId);
        List<String> command = new ArrayList<>(in(Node.PUB));
        command.addAll(List.of("turnserver",
                "-n", // no configuration file: /etc/turnserver.conf must not matter
                "--listening-ip=" + PUBLIC_IP, "--listening-port=" + STUN_PORT, "--relay-ip=" + PUBLIC_IP,
                "--stun-only", "--no-tls", "--no-dtls", "--no-cli",
                "--log-file=stdout", "--simple-log",
                // Per run, so neither the Debian service's files nor a parallel run's are touched.
                "--pidfile=" + work.resolve("turnserver.pid"), "--userdb=" + work.resolve("turndb")));
        return track(ProxyProcess.launchCommand(name + "/coturn", command, log("coturn"), STUN_READY_MARKER))
                .awaitReady();
    }

    /** {@code sfkit-proxy.jar signal} on {@value #PUBLIC_IP}:{@value #SIGNAL_PORT} for one study. */
    public ProxyProcess startSignal(String study, List<String> keys) throws IOException {
        return track(ProxyProcess.launch(name + "/signal", in(Node.PUB),
                List.of("signal", "--listen", PUBLIC_IP + ":" + SIGNAL_PORT, "--study", study,
                        "--keys", String.join(",", keys), "-v"),
                log("signal"), ProxyProcess.SIGNAL_READY_MARKER)).awaitReady();
    }

    /** The signalling URL the parties' {@code -api} flag takes. */
    public static String signalUrl() {
        return "ws://" + PUBLIC_IP + ":" + SIGNAL_PORT + "/api/ice";
    }

    /** Starts {@code sfkit-proxy.jar arguments} on {@code node} without waiting for it to be ready. */
    public ProxyProcess launchProxy(Node node, String logName, List<String> arguments) throws IOException {
        return track(ProxyProcess.launch(name + "/" + logName, in(node), arguments, log(logName),
                ProxyProcess.READY_MARKER));
    }

    /** A main class of the test class path, in a child JVM on {@code node}; ready at {@code readyMarker}. */
    public ProxyProcess startJava(Node node, String logName, Class<?> main, String readyMarker, String... arguments)
            throws IOException {
        List<String> command = new ArrayList<>(in(node));
        command.addAll(javaCommand(main));
        command.addAll(List.of(arguments));
        return track(ProxyProcess.launchCommand(name + "/" + logName, command, log(logName), readyMarker))
                .awaitReady();
    }

    /** {@code java -cp <test class path> main}: for a one-shot run under {@link #in}. */
    public static List<String> javaCommand(Class<?> main) {
        return List.of(ItEnvironment.javaCommand(), "-cp", System.getProperty("java.class.path"), main.getName());
    }

    /** Forgets every connection the router tracks: its NAT mappings are gone, as after a router reboot. */
    public void flushConntrack(Node router) throws IOException, InterruptedException {
        exec(router, "conntrack", "-F");
    }

    /** Packets the router's DROP rules (unsolicited inbound) have discarded so far. */
    public long droppedInbound(Node router) throws IOException, InterruptedException {
        long dropped = 0;
        for (String chain : List.of("INPUT", "FORWARD")) {
            List<String> command = new ArrayList<>(in(router));
            command.addAll(List.of("iptables", "-n", "-v", "-x", "-L", chain));
            Matcher drop = DROPPED.matcher(output(command));
            while (drop.find()) {
                dropped += Long.parseLong(drop.group(1));
            }
        }
        return dropped;
    }

    private Path log(String logName) {
        return ItEnvironment.workDir("logs/" + name).resolve(logName + ".log");
    }

    private ProxyProcess track(ProxyProcess process) {
        processes.add(process);
        return process;
    }

    /** Stops every process the lab started (SIGTERM, then SIGKILL, by pid), then deletes the namespaces. */
    @Override
    public void close() {
        List<ProxyProcess> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
        }
        Collections.reverse(started);
        started.forEach(ProxyProcess::close);
        for (Node node : Node.values()) {
            String ns = namespace(node);
            if (LIVE_NAMESPACES.remove(ns)) {
                deleteQuietly(ns);
            }
        }
    }

    private static void deleteQuietly(String namespace) {
        try {
            ExternalCommand.run(List.of("ip", "netns", "del", namespace), COMMAND_TIMEOUT);
        } catch (IOException | InterruptedException | AssertionError e) {
            // Best effort at exit; the run id keeps a leftover from clashing with later runs.
        }
    }
}
