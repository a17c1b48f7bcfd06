package org.sfkit.proxy.agent.fresco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.Pem;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/**
 * A real JVM MPC tool across the proxy: two FRESCO parties ({@link FrescoParty}, one JVM each)
 * compute the sum and the product of their secret inputs, reaching each other three ways, all
 * inside a network namespace of the test's own (only {@code lo}):
 * <ul>
 *   <li>{@code AGENT}: configured as 10.0.0.1 and 10.0.0.2, each JVM with
 *       {@code -javaagent:sfkit-proxy.jar} as that party (in-memory pipes over QUIC); 10.0.0.x is
 *       unreachable in the namespace, so a result proves the agent carried the connection;
 *   <li>{@code SOCKS}: the same addresses through a proxy process per party and its SOCKS5 port;
 *   <li>{@code DIRECT}: 127.0.0.1, no proxy, the reference.
 * </ul>
 * The agent path runs with the parties started in either order (FRESCO retries refused connects).
 */
class FrescoIT {
    private static final Path AGENT_JAR = Path.of(System.getProperty("sfkit.agent.jar", "target/sfkit-proxy.jar"));
    private static final String TEST_CLASSES = System.getProperty("sfkit.test.classes", "target/test-classes");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final int PARTIES = 2;
    /** FRESCO listens on 11000+N, the QUIC servers on 9000+N, the SOCKS ports on 7080+N (one namespace per run). */
    private static final int FRESCO_PORT = 11000;
    private static final int UDP_PORT = 9000;
    private static final int SOCKS_PORT = 7080;
    /** Between the two parties' start: the first one's retries must bridge it. */
    private static final int START_GAP_SECONDS = 2;
    private static final long RUN_TIMEOUT_SECONDS = 240;

    enum Ingress { AGENT, SOCKS, DIRECT }

    @TempDir
    static Path work;

    @BeforeAll
    static void makeKeys() throws Exception {
        for (int pid = 1; pid <= PARTIES; pid++) {
            TlsIdentity identity = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
            Pem.writeIdentity(identity, work.resolve("p" + pid + ".pem"), work.resolve("p" + pid + ".key"));
        }
    }

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of(Ingress.AGENT, List.of(1, 2)),
                Arguments.of(Ingress.AGENT, List.of(2, 1)),
                Arguments.of(Ingress.SOCKS, List.of(1, 2)),
                Arguments.of(Ingress.DIRECT, List.of(2, 1)));
    }

    @ParameterizedTest(name = "{0}, parties started in order {1}")
    @MethodSource("runs")
    void sumAndProductOfSecretInputsComeOutRight(Ingress ingress, List<Integer> startOrder) throws Exception {
        assumeTrue(new File("/usr/sbin/ip").canExecute() || new File("/usr/bin/ip").canExecute(), "iproute2 needed");
        long[] inputs = ThreadLocalRandom.current().longs(PARTIES, 1, 1_000_000).toArray();
        BigInteger sum = BigInteger.valueOf(Arrays.stream(inputs).sum());
        BigInteger product = Arrays.stream(inputs).mapToObj(BigInteger::valueOf).reduce(BigInteger.ONE, BigInteger::multiply);

        List<String> results = run(ingress, startOrder, inputs);

        for (String result : results) {
            assertThat(result).contains("RESULT sum=" + sum + " product=" + product);
        }
        long carried = results.stream().mapToLong(FrescoIT::carried).sum();
        if (ingress == Ingress.AGENT) {
            assertThat(carried).as("connects the agents carried").isPositive();
        } else {
            assertThat(carried).as("no agent in these JVMs").isEqualTo(-PARTIES);
        }
    }

    private static long carried(String result) {
        return Long.parseLong(result.replaceAll("(?s).*carried=(-?\\d+).*", "$1"));
    }

    /** Returns each party's stdout (with its stderr after it, for failure messages). */
    private static List<String> run(Ingress ingress, List<Integer> startOrder, long[] inputs) throws Exception {
        Path dir = Files.createTempDirectory(work, ingress.name());
        StringBuilder script = new StringBuilder("ip link set lo up\n");
        if (ingress == Ingress.SOCKS) {
            for (int pid = 1; pid <= PARTIES; pid++) {
                List<String> proxy = new ArrayList<>(List.of(JAVA, "-jar", AGENT_JAR.toAbsolutePath().toString()));
                proxy.addAll(List.of("-pid", String.valueOf(pid), "-socks", "socks5://127.0.0.1:" + (SOCKS_PORT + pid)));
                proxy.addAll(nodeFlags(pid).stream().flatMap(f -> Stream.of("--" + f[0], f[1])).toList());
                script.append(command(proxy)).append(" >/dev/null 2>&1 & proxies=\"$proxies $!\"\n");
            }
        }
        String addresses = IntStream.rangeClosed(1, PARTIES)
                .mapToObj(pid -> (ingress == Ingress.DIRECT ? "127.0.0.1" : "10.0.0." + pid) + ":" + (FRESCO_PORT + pid))
                .collect(Collectors.joining(","));
        for (int pid : startOrder) {
            List<String> party = new ArrayList<>(List.of(JAVA));
            if (ingress == Ingress.AGENT) {
                party.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + "=pid=" + pid + ";" + nodeFlags(pid).stream()
                        .map(f -> f[0] + "=" + f[1]).collect(Collectors.joining(";")));
            }
            party.addAll(List.of("-cp", partyClassPath(), FrescoParty.class.getName(), String.valueOf(pid), addresses,
                    String.valueOf(inputs[pid - 1])));
            if (ingress == Ingress.SOCKS) {
                party.add("127.0.0.1:" + (SOCKS_PORT + pid));
            }
            script.append(command(party)).append(" >").append(dir.resolve(pid + ".out")).append(" 2>")
                    .append(dir.resolve(pid + ".err")).append(" & parties=\"$parties $!\"\nsleep ").append(START_GAP_SECONDS)
                    .append('\n');
        }
        script.append("for p in $parties; do wait $p; done\n[ -z \"$proxies\" ] || kill $proxies\n");
        Process process = new ProcessBuilder("unshare", "-n", "sh", "-c", script.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("script.log").toFile()).start();
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        List<String> outputs = new ArrayList<>();
        for (int pid = 1; pid <= PARTIES; pid++) {
            outputs.add(read(dir.resolve(pid + ".out")) + "\nstderr of party " + pid + ":\n" + read(dir.resolve(pid + ".err")));
        }
        return outputs;
    }

    /** The static-mode flags of party {@code pid} (its QUIC server, its key, the other party), as name/value pairs. */
    private static List<String[]> nodeFlags(int pid) {
        int other = PARTIES + 1 - pid;
        return List.of(
                new String[] {"udp-host", "127.0.0.1"},
                new String[] {"udp-port", String.valueOf(UDP_PORT + pid)},
                new String[] {"cert", work.resolve("p" + pid + ".pem").toString()},
                new String[] {"key", work.resolve("p" + pid + ".key").toString()},
                new String[] {"peer", other + "=127.0.0.1:" + (UDP_PORT + other)},
                new String[] {"peer-cert", other + "=" + work.resolve("p" + other + ".pem")});
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "(none)";
    }

    /** FRESCO and the party; never our classes, which the agent brings. */
    private static String partyClassPath() {
        Stream<String> fresco = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> new File(entry).getName().matches("(core-1\\.3\\.8|slf4j-.*)\\.jar"));
        return Stream.concat(Stream.of(TEST_CLASSES), fresco).collect(Collectors.joining(File.pathSeparator));
    }

    private static String command(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }
}
