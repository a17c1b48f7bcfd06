package org.sfkit.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.agent.probe.ConnectProbe;
import org.sfkit.proxy.agent.probe.ConnectProbe.Api;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.Pem;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/**
 * Runs {@link ConnectProbe} with the agent as party 0 in a fresh network namespace that has only
 * {@code lo}, beside a real peer proxy (party 1, {@code sfkit-proxy.jar} in a second JVM) reached
 * over QUIC on 127.0.0.1: a connect to 10.0.0.1 can only succeed if the agent carried it (without
 * the agent it fails with "Network is unreachable"), and nothing can leave the namespace either
 * way. Party 1 delivers each stream to 127.0.0.1:p in the namespace, where the probe's services
 * listen. One probe JVM runs all cases of a JDK (JVM start-ups dominate the run time).
 */
class AgentInNamespaceIT {
    private static final Path AGENT_JAR = Path.of(System.getProperty("sfkit.agent.jar", "target/sfkit-proxy.jar"));
    private static final String TEST_CLASSES = System.getProperty("sfkit.test.classes", "target/test-classes");
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final String JDK_17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** Generous: two JVMs load Netty and the agent on a possibly busy two-core machine. */
    private static final long SESSION_TIMEOUT_SECONDS = 400;
    /** Fixed UDP ports are safe: each session has a namespace of its own. */
    private static final int AGENT_UDP_PORT = 9000;
    private static final int PEER_UDP_PORT = 9001;
    /** The java.net.Socket cases, which become in-memory pipes; every other API is handed off over loopback. */
    private static final List<Api> IN_MEMORY = List.of(Api.SOCKET_CONNECT, Api.SOCKET_CONNECT_TIMEOUT,
            Api.SOCKET_HOST_PORT, Api.SOCKET_ADDRESS_PORT_LOCAL, Api.SOCKET_SO_TIMEOUT_HALF_CLOSE, Api.SOCKET_CONNECT_TWICE,
            Api.HTTP_URL_CONNECTION, Api.VIRTUAL_THREAD_SOCKET);
    private static final List<String> REFUSED = List.of("SOCKET_CONNECT:1:closed", "SOCKET_CONNECT_TIMEOUT:1:closed",
            "CHANNEL_BLOCKING:1:closed", "CHANNEL_SELECTOR:1:closed");
    private static final String UNKNOWN_PARTY = "SOCKET_CONNECT:9:echo";

    @TempDir
    static Path keys;
    private static String agentOptions;
    private static final Map<String, Map<String, String>> SESSIONS = new ConcurrentHashMap<>();

    @BeforeAll
    static void makeKeys() throws Exception {
        for (int pid = 0; pid <= 1; pid++) {
            TlsIdentity identity = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
            Pem.writeIdentity(identity, keys.resolve("p" + pid + ".pem"), keys.resolve("p" + pid + ".key"));
        }
        agentOptions = "pid=0;udp-host=127.0.0.1;udp-port=" + AGENT_UDP_PORT + ";cert=" + keys.resolve("p0.pem")
                + ";key=" + keys.resolve("p0.key") + ";peer=1=127.0.0.1:" + PEER_UDP_PORT
                + ";peer-cert=1=" + keys.resolve("p1.pem");
    }

    @AfterAll
    static void forget() {
        SESSIONS.clear();
    }

    static Stream<Arguments> carriedApis() {
        List<Arguments> cases = new ArrayList<>();
        for (String java : javas()) {
            for (Api api : Api.values()) {
                if (!api.name().startsWith("UDP")) {
                    cases.add(Arguments.of(java, api));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("carriedApis")
    void connectToPartyAddressIsCarriedToThePeerProxy(String java, Api api) throws Exception {
        String result = withPeer(java).get(api.name() + ":1:echo");

        assumeFalse(result.startsWith("skipped"), result);
        String path = IN_MEMORY.contains(api) ? "inMemory=1" : "inMemory=0";
        assertThat(result).startsWith("ok ").contains("10.0.0.1").contains("served=1").contains("carried=1").contains(path);
    }

    static Stream<Arguments> refusedPorts() {
        return javas().stream().flatMap(java -> REFUSED.stream().map(c -> Arguments.of(java, c)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("refusedPorts")
    void refusedPortOnTheFarSideIsAConnectException(String java, String probeCase) throws Exception {
        assertThat(withPeer(java).get(probeCase)).contains("connectException=true").contains("refused").contains("carried=0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javas")
    void unknownPartyIsAConnectException(String java) throws Exception {
        assertThat(withPeer(java).get(UNKNOWN_PARTY)).contains("connectException=true").contains("party 9");
    }

    static Stream<Arguments> udpCases() {
        return javas().stream().flatMap(java -> Arrays.stream(Api.values())
                .filter(api -> api.name().startsWith("UDP")).map(api -> Arguments.of(java, api)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("udpCases")
    void udpToAPartyAddressIsRefused(String java, Api api) throws Exception {
        assertThat(withPeer(java).get(api.name() + ":1:echo"))
                .contains("java.net.SocketException").contains("UDP to party address 10.0.0.1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javas")
    void agentStartsWithoutJdkWarnings(String java) throws Exception {
        assertThat(withPeer(java).get("stderr")).doesNotContain("sun.misc.Unsafe").doesNotContain("Sharing is only supported")
                .doesNotContain("WARNING: A Java agent");
    }

    @Test
    void withoutTheAgentTheSameConnectIsUnreachable() throws Exception {
        Map<String, String> run = session(JDK_17, null, false, List.of("SOCKET_CONNECT:1:echo"));

        assertThat(run.get("SOCKET_CONNECT:1:echo")).contains("Network is unreachable").contains("carried=-1");
    }

    @Test
    void badOptionsAreSaidOnStderrAndEveryConnectFailsClosedNamingTheProblem() throws Exception {
        List<String> cases = List.of("SOCKET_CONNECT:1:echo", "CHANNEL_BLOCKING:1:echo");
        Map<String, String> run = session(JDK_17, "pid=1;peer=2", false, cases);

        assertThat(run.get("stderr")).contains("sfkit-proxy agent: not started").contains("--peer");
        for (String probeCase : cases) {
            assertThat(run.get(probeCase)).contains("connectException=true").contains("not started").contains("--peer")
                    .doesNotContain("unreachable");
        }
    }

    static List<String> javas() {
        return Files.isExecutable(JDK_25) ? List.of(JDK_17, JDK_25.toString()) : List.of(JDK_17);
    }

    /** All cases of one JDK against the peer proxy, run once and shared by the tests. */
    private static Map<String, String> withPeer(String java) {
        return SESSIONS.computeIfAbsent(java, j -> {
            List<String> cases = new ArrayList<>(List.of("warm-up=1"));
            Arrays.stream(Api.values()).map(api -> api.name() + ":1:echo").forEach(cases::add);
            cases.addAll(REFUSED);
            cases.add(UNKNOWN_PARTY);
            try {
                return session(j, agentOptions, true, cases);
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * Runs the probe in a new namespace, beside a peer proxy when asked; {@code agentOptions} null:
     * no agent at all. Returns each case's result line (after "RESULT case ") and "stderr".
     */
    private static Map<String, String> session(String java, String agentOptions, boolean peer, List<String> cases)
            throws IOException, InterruptedException {
        assumeTrue(new File("/usr/sbin/ip").canExecute() || new File("/usr/bin/ip").canExecute(), "iproute2 needed");
        assertThat(AGENT_JAR).as("shaded agent jar (built in package)").exists();
        List<String> probe = new ArrayList<>(List.of(java));
        if (agentOptions != null) {
            probe.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        probe.addAll(List.of("-cp", probeClassPath(), ConnectProbe.class.getName()));
        probe.addAll(cases);
        StringBuilder script = new StringBuilder("ip link set lo up && ");
        if (peer) {
            List<String> proxy = List.of(JDK_17, "-jar", AGENT_JAR.toAbsolutePath().toString(), "-pid", "1",
                    "--udp-host", "127.0.0.1", "--udp-port", String.valueOf(PEER_UDP_PORT),
                    "--cert", keys.resolve("p1.pem").toString(), "--key", keys.resolve("p1.key").toString(),
                    "--peer", "0=127.0.0.1:" + AGENT_UDP_PORT, "--peer-cert", "0=" + keys.resolve("p0.pem"));
            script.append(command(proxy)).append(" >/dev/null 2>&1 & peer=$!; ");
        }
        script.append(command(probe)).append("; status=$?; ").append(peer ? "kill $peer; " : "").append("exit $status");
        Path out = Files.createTempFile("probe", ".out");
        Path err = Files.createTempFile("probe", ".err");
        try {
            Process process = new ProcessBuilder("unshare", "-n", "sh", "-c", script.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(SESSION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly); // the peer proxy too
                process.destroyForcibly();
                throw new AssertionError("probe did not finish: " + Files.readString(err));
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Map<String, String> results = new ConcurrentHashMap<>();
            results.put("stderr", stderr);
            for (String probeCase : cases) {
                if (!probeCase.startsWith("warm-up")) {
                    String prefix = "RESULT " + probeCase + " ";
                    results.put(probeCase, stdout.lines().filter(l -> l.startsWith(prefix)).findFirst()
                            .map(l -> l.substring(prefix.length()))
                            .orElse("no result; stdout=" + stdout + " stderr=" + stderr));
                }
            }
            return results;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String command(List<String> words) {
        return words.stream().map(AgentInNamespaceIT::quote).collect(Collectors.joining(" "));
    }

    /** The probe and the application's own Netty; never our classes, which come from the agent jar. */
    private static String probeClassPath() {
        Stream<String> netty = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> new File(entry).getName().startsWith("netty-"));
        return Stream.concat(Stream.of(TEST_CLASSES), netty).collect(Collectors.joining(File.pathSeparator));
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
