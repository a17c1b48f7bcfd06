package org.sfkit.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.sfkit.proxy.config.TomlAddressPlan;
import org.sfkit.proxy.config.TomlParser;
import org.sfkit.proxy.tls.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sfkit.proxy.signal.server.SignalingServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class RunCommandTest {
    @TempDir
    Path dir;

    /** What a run printed and returned. */
    record Outcome(int exitCode, String out, String err) {
    }

    static Outcome run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private static RunCommand parse(String... args) {
        CommandLine cli = Main.commandLine();
        cli.parseArgs(args);
        return cli.getCommand();
    }

    @AfterEach
    void resetLogging() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "-pid=1|1",
        "-pid 1|1",
        "--pid 1|1",
        "--pid=1|1",
        "-pid 7 -pid 3|3",
        "''|0",
    })
    void acceptsGoFlagSpellings(String args, int pid) {
        assertThat(parse(split(args)).pid).isEqualTo(pid);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "''|0",
        "-v|1",
        "--v|1",
        "-v -v|2",
        "-vv|2",
        "-v -vv|3",
        "-vvv -pid 1|3",
    })
    void countsVerbosity(String args, int verbosity) {
        assertThat(parse(split(args)).verbosity()).isEqualTo(verbosity);
    }

    @Test
    void readsEveryGoFlagAndItsDefault() {
        RunCommand defaults = parse();
        assertThat(defaults.api).isEqualTo("ws://host.docker.internal:8000/api/ice");
        assertThat(defaults.socks).isEqualTo("socks5://localhost:7080");
        assertThat(defaults.stun).isEqualTo("stun:stun.l.google.com:19302");
        assertThat(defaults.mpc).isEqualTo(Path.of("configGlobal.toml"));
        assertThat(defaults.study).isEmpty();
        assertThat(defaults.authKey).isEmpty();

        // the command line sfkit uses (spec section 1)
        RunCommand sfkit = parse("-v", "-api", "wss://sfkit.example/api/ice", "-study", "s-42", "-pid", "2",
                "-mpc", "/data/configGlobal.toml", "-socks", "socks5://localhost:7081", "-auth-key", "k", "-stun=");
        assertThat(sfkit.api).isEqualTo("wss://sfkit.example/api/ice");
        assertThat(sfkit.study).isEqualTo("s-42");
        assertThat(sfkit.pid).isEqualTo(2);
        assertThat(sfkit.mpc).isEqualTo(Path.of("/data/configGlobal.toml"));
        assertThat(sfkit.socks).isEqualTo("socks5://localhost:7081");
        assertThat(sfkit.authKey).isEqualTo("k");
        assertThat(sfkit.stun).isEmpty();
        assertThat(sfkit.verbosity()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-nope", "--nope=1", "-pidx=1", "stray"})
    void unknownFlagExitsWith2(String arg) {
        Outcome outcome = run("-study", "s", arg);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("ERROR:").contains("--help");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "-study s -socks http://localhost:1080|invalid SOCKS URI scheme: http, expected: socks5",
        "-study s -socks socks4://localhost:1080|invalid SOCKS URI scheme: socks4",
        "-study s -socks socks5://localhost|no port",
        "-study ''|empty study ID",
        "-pid 1|empty study ID",
        "-study s -pid -1|invalid party ID: -1",
        "-study s -pid x|Invalid value",
        "-study s -pid|Missing required parameter",
        "-study s -api http://x/api/ice|invalid -api URL scheme",
        "-study s -stun turn:127.0.0.1:3478|-stun turn:127.0.0.1:3478: expected stun:host:port",
        "-study s -stun stun:127.0.0.1:x|-stun stun:127.0.0.1:x: bad port",
        "-study s -stun= --parties 0,300|party ids are 0..254",
        "-study s -stun= --ice-host localhost|--ice-host must be an IP address",
        "-study s -mpc /nonexistent/configGlobal.toml|MPC config file not found: /nonexistent/configGlobal.toml",
    })
    void configurationErrorsExitWith1(String args, String message) {
        Outcome outcome = run(split(args));
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains(message);
    }

    @Test
    void aMissingDefaultMpcFileIsNoError() {
        assertThat(Path.of("configGlobal.toml")).doesNotExist();
        Outcome outcome = run("-study", "s", "-stun", "turn:127.0.0.1:1");
        assertThat(outcome.err()).doesNotContain("MPC config").contains("expected stun:host:port");
    }

    @Test
    void anInvalidMpcFileExitsWith1() throws IOException {
        Path toml = Files.writeString(dir.resolve("bad.toml"), "mpc_num_threads = [\n");
        Outcome outcome = run("-study", "s", "-mpc", toml.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("cannot read MPC config").contains("line 2");
    }

    @Test
    void staticModeNeedsNoStudyAndChecksPeers() throws Exception {
        Path cert0 = dir.resolve("p0.pem");
        Path key0 = dir.resolve("p0.key");
        Path cert1 = dir.resolve("p1.pem");
        assertThat(run("gencert", "--cert", cert0.toString(), "--key", key0.toString()).exitCode()).isZero();
        assertThat(run("gencert", "--cert", cert1.toString(), "--key", dir.resolve("p1.key").toString()).exitCode()).isZero();
        String peer = "1=127.0.0.1:9001";
        String peerCert = "1=" + cert1;

        List<String[]> failing = List.of(
                new String[] {"--peer", peer},
                new String[] {"--peer", peer, "--peer-cert", peerCert, "--peer-cert", "2=" + cert1},
                new String[] {"--peer", "0=127.0.0.1:9000", "--peer-cert", "0=" + cert1},
                new String[] {"--peer", "1=127.0.0.1", "--peer-cert", peerCert},
                new String[] {"--peer", "1=127.0.0.1:70000", "--peer-cert", peerCert},
                new String[] {"--peer", peer, "--peer-cert", "1=" + dir.resolve("missing.pem")},
                new String[] {"--peer", peer, "--peer-cert", peerCert, "--cert", cert0.toString()},
                new String[] {"--peer", peer, "--peer-cert", peerCert, "--udp-host", "somewhere"},
                new String[] {"--peer", peer, "--peer-cert", peerCert, "--socks-user", "u"},
                new String[] {"--peer", peer, "--peer-cert", peerCert, "--cert", cert0.toString(), "--key", key0.toString(),
                    "--quic-engine", "bogus"});
        List<String> messages = new ArrayList<>();
        for (String[] args : failing) {
            Outcome outcome = run(args);
            assertThat(outcome.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            messages.add(outcome.err());
        }
        assertThat(messages.get(0)).contains("every --peer needs a --peer-cert");
        assertThat(messages.get(1)).contains("every --peer needs a --peer-cert");
        assertThat(messages.get(2)).contains("not our own");
        assertThat(messages.get(3)).contains("expected host:port");
        assertThat(messages.get(4)).contains("bad port");
        assertThat(messages.get(5)).contains("--peer-cert 1=");
        assertThat(messages.get(6)).contains("--cert and --key go together");
        assertThat(messages.get(7)).contains("--udp-host must be an IP address");
        assertThat(messages.get(8)).contains("--socks-user and --socks-pass go together");
        assertThat(messages.get(9)).contains("bogus");
        assertThat(messages).noneMatch(m -> m.contains("empty study ID"));
    }

    @ParameterizedTest(name = "pid {0} with peers {1} misses {2}")
    @CsvSource(delimiter = '|', value = {
        "0|1,2|''",
        "0|1|2",
        "1|0|2",
        "2|0,1|''",
        "2|1|0",
        "2|7|0,1",
    })
    void findsTomlPartiesWithoutAPeerFlag(int pid, String peers, String missing) throws Exception {
        TomlAddressPlan toml = TomlAddressPlan.load(
                Path.of(TomlParser.class.getResource("configGlobal.toml").toURI()), pid);
        assertThat(RunCommand.unlinkedParties(toml, ids(peers))).containsExactlyElementsOf(ids(missing));
    }

    private static Set<Integer> ids(String csv) {
        Set<Integer> ids = new TreeSet<>();
        for (String id : csv.split(",")) {
            if (!id.isBlank()) {
                ids.add(Integer.parseInt(id.strip()));
            }
        }
        return ids;
    }

    @Test
    void helpListsFlagsDefaultsAndExamples() {
        Outcome outcome = run("--help");
        assertThat(outcome.exitCode()).isZero();
        String help = outcome.out().replaceAll("\\s+", " "); // independent of the wrap width
        assertThat(help)
                .contains("Usage: sfkit-proxy")
                .contains("-api, --api=URL", "-socks, --socks=URI", "-stun, --stun=URIS", "-mpc, --mpc=FILE",
                        "-study, --study=ID", "-pid, --pid=N", "-auth-key, --auth-key=KEY", "-v, --v",
                        "--peer=N=HOST:PORT", "--peer-cert=N=FILE", "--udp-port=PORT", "--cert=FILE", "--key=FILE",
                        "--quic-engine=auto|netty|kwik", "--socks-user", "--socks-pass")
                .contains("Default: socks5://localhost:7080", "Default: configGlobal.toml", "Default: 0", "Default: auto")
                .contains("Examples (static mode", "sfkit-proxy gencert", "--peer 1=127.0.0.1:9001")
                .contains("gencert", "demo");
    }

    @Test
    void gencertWritesAnIdentityForTheGivenAddresses() throws Exception {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        Outcome outcome = run("gencert", "--cert", cert.toString(), "--key", key.toString(), "--ip", "127.0.0.1", "--ip", "::1");

        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.out()).contains("wrote").contains("sha256");
        var identity = Pem.readIdentity(cert, key);
        assertThat(identity.certificate().getSubjectAlternativeNames())
                .extracting(san -> InetAddress.getByName((String) san.get(1)))
                .containsExactly(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
        assertThat(identity.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");

        Outcome again = run("gencert", "--cert", cert.toString(), "--key", dir.resolve("other.pem").toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("exists");

        Outcome badIp = run("gencert", "--cert", dir.resolve("x.pem").toString(), "--key", dir.resolve("y.pem").toString(),
                "--ip", "example.com");
        assertThat(badIp.exitCode()).isEqualTo(1);
        assertThat(badIp.err()).contains("--ip needs an IP address");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWrongAuthKeyExitsWith1AndSaysWhatToFix() throws Exception {
        try (SignalingServer server = SignalingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Map.of("s-1", List.of("key-0", "key-1")))) {
            Outcome outcome = run("-api", "ws://127.0.0.1:" + server.address().getPort() + "/api/ice", "-study", "s-1",
                    "-pid", "1", "-auth-key", "not-the-key", "-stun=", "--ice-host", "127.0.0.1", "--parties", "0,1",
                    "-socks", "socks5://127.0.0.1:0");
            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err()).contains("HTTP 401").contains("-auth-key");
        }
    }

    private static String[] split(String args) {
        String trimmed = args.strip();
        if (trimmed.isEmpty()) {
            return new String[0];
        }
        return Arrays.stream(trimmed.split("\\s+")).map(a -> a.equals("''") ? "" : a).toArray(String[]::new);
    }
}
