package org.sfkit.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.agent.probe.ConnectProbe;

/**
 * Runs {@link ConnectProbe} in a fresh network namespace that has only {@code lo}: a connect to
 * 10.0.0.1 can only succeed if the agent carried it (without the agent it fails with "Network is
 * unreachable", and nothing can leave the namespace either way). The agent runs in its test mode
 * ({@code loopback-dialer=true}: party N port p is 127.0.0.1:p).
 */
class AgentInNamespaceIT {
    private static final Path AGENT_JAR = Path.of(System.getProperty("sfkit.agent.jar", "target/sfkit-proxy.jar"));
    private static final String TEST_CLASSES = System.getProperty("sfkit.test.classes", "target/test-classes");
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final String LOOPBACK_MODE = "loopback-dialer=true";
    /** Generous: the probe JVM loads Netty and the agent on a possibly busy two-core machine. */
    private static final long PROBE_TIMEOUT_SECONDS = 180;

    private record Run(String stdout, String stderr) {
        String result() {
            return stdout.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                    .orElseThrow(() -> new AssertionError("probe printed no RESULT; stdout=" + stdout + " stderr=" + stderr));
        }
    }

    static Stream<Arguments> carriedApis() {
        List<Arguments> cases = new ArrayList<>();
        String current = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (ConnectProbe.Api api : ConnectProbe.Api.values()) {
            if (!api.name().startsWith("UDP")) {
                cases.add(Arguments.of(current, api));
            }
        }
        if (Files.isExecutable(JDK_25)) { // one of each kind on the newest JDK too
            for (ConnectProbe.Api api : List.of(ConnectProbe.Api.SOCKET_CONNECT, ConnectProbe.Api.CHANNEL_SELECTOR,
                    ConnectProbe.Api.HTTP_CLIENT, ConnectProbe.Api.NETTY_EPOLL)) {
                cases.add(Arguments.of(JDK_25.toString(), api));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("carriedApis")
    void connectToPartyAddressIsCarriedThroughTheAgent(String java, ConnectProbe.Api api) throws Exception {
        Run run = probe(java, LOOPBACK_MODE, api, "1", "echo");

        assertThat(run.result()).startsWith("RESULT ok ").contains("10.0.0.1").contains("served=1").contains("carried=1");
        assertThat(run.stderr()).as("agent must start without JDK warnings")
                .doesNotContain("sun.misc.Unsafe").doesNotContain("Sharing is only supported");
    }

    @Test
    void withoutTheAgentTheSameConnectIsUnreachable() throws Exception {
        Run run = probe(javaHome(), null, ConnectProbe.Api.SOCKET_CONNECT, "1", "echo");

        assertThat(run.result()).contains("Network is unreachable").contains("carried=-1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ConnectProbe.Api.class, names = {"SOCKET_CONNECT", "SOCKET_CONNECT_TIMEOUT", "CHANNEL_BLOCKING"})
    void refusedPortOnTheFarSideIsAConnectException(ConnectProbe.Api api) throws Exception {
        Run run = probe(javaHome(), LOOPBACK_MODE, api, "1", "closed");

        assertThat(run.result()).contains("connectException=true").contains("refused").contains("carried=0");
    }

    @Test
    void unknownPartyIsAConnectException() throws Exception {
        Run run = probe(javaHome(), LOOPBACK_MODE, ConnectProbe.Api.SOCKET_CONNECT, "9", "echo");

        assertThat(run.result()).contains("connectException=true").contains("unknown party 9");
    }

    @Test
    void agentWithoutTransportRefusesWithConnectExceptionInsteadOfReachingTheKernel() throws Exception {
        Run run = probe(javaHome(), "", ConnectProbe.Api.SOCKET_CONNECT, "1", "echo");

        assertThat(run.result()).contains("connectException=true").contains("not ready")
                .doesNotContain("unreachable");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ConnectProbe.Api.class, names = "UDP_.*", mode = EnumSource.Mode.MATCH_ANY)
    void udpToAPartyAddressIsRefused(ConnectProbe.Api api) throws Exception {
        Run run = probe(javaHome(), LOOPBACK_MODE, api, "1", "echo");

        assertThat(run.result()).contains("java.net.SocketException").contains("UDP to party address 10.0.0.1");
    }

    private static String javaHome() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code agentOptions} null: no agent at all. */
    private static Run probe(String java, String agentOptions, ConnectProbe.Api api, String party, String service)
            throws IOException, InterruptedException {
        assumeTrue(new File("/usr/sbin/ip").canExecute() || new File("/usr/bin/ip").canExecute(), "iproute2 needed");
        assertThat(AGENT_JAR).as("shaded agent jar (built in package)").exists();
        List<String> javaCommand = new ArrayList<>(List.of(java));
        if (agentOptions != null) {
            javaCommand.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        javaCommand.addAll(List.of("-cp", probeClassPath(), ConnectProbe.class.getName(), api.name(), party, service));
        String inside = "ip link set lo up && exec " + javaCommand.stream().map(AgentInNamespaceIT::quote)
                .collect(Collectors.joining(" "));
        Path out = Files.createTempFile("probe", ".out");
        Path err = Files.createTempFile("probe", ".err");
        try {
            Process process = new ProcessBuilder("unshare", "-n", "sh", "-c", inside)
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("probe did not finish: " + Files.readString(err));
            }
            return new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
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
