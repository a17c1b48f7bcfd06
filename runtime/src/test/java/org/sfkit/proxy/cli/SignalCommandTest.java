package org.sfkit.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sfkit.proxy.cli.RunCommandTest.Outcome;

/** The {@code signal} subcommand's argument handling; the running server is tested end to end in SignalCommandIT. */
class SignalCommandTest {
    @TempDir
    Path dir;

    @AfterEach
    void resetLogging() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:8000|127.0.0.1|8000",
        "0.0.0.0:0|0.0.0.0|0",
        "[::1]:8000|0:0:0:0:0:0:0:1|8000",
        " 127.0.0.1:65535 |127.0.0.1|65535",
    })
    void parsesListenAddresses(String value, String ip, int port) throws Exception {
        assertThat(SignalCommand.listenAddress(value))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", ":8000", "127.0.0.1:70000", "127.0.0.1:80/api/ice",
        "u@127.0.0.1:80"})
    void refusesBadListenAddresses(String value) {
        assertThatThrownBy(() -> SignalCommand.listenAddress(value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--listen");
    }

    /** Every configuration fault ends with exit status 1 and a message that says what to fix. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "signal --study s1 --keys k0,k1|Missing required option: '--listen=HOST:PORT'",
        "signal --listen 127.0.0.1:0|no study: give --study ID --keys KEY0,KEY1,... or --config FILE",
        "signal --listen 127.0.0.1:0 --study s1|--study and --keys go together",
        "signal --listen 127.0.0.1:0 --keys k0,k1|--study and --keys go together",
        "signal --listen 127.0.0.1:0 --study s1 --keys k0|--study/--keys: study s1: needs at least two distinct keys",
        "signal --listen 127.0.0.1:0 --study s1 --keys k0,k0|--study/--keys: study s1: needs at least two distinct keys",
        "signal --listen 127.0.0.1:0 --study s1 --keys k0,,k2|--study/--keys: study s1: every key must be a non-empty string",
        "signal --listen 127.0.0.1 --study s1 --keys k0,k1|--listen 127.0.0.1: expected HOST:PORT",
        "signal --listen 127.0.0.1:0 --config /nonexistent/studies.json|--config: ",
    })
    void configurationErrorsExitWithOne(String args, String message) {
        Outcome outcome = RunCommandTest.run(args.split(" "));
        assertThat(outcome.exitCode()).as(outcome::toString).isEqualTo(Main.EXIT_ERROR);
        assertThat(outcome.err()).contains(message);
    }

    @Test
    void aStudyInBothTheFileAndTheFlagsIsAnError() throws IOException {
        Path file = dir.resolve("studies.json");
        Files.writeString(file, "{\"studies\":{\"s1\":[\"a\",\"b\"]}}");
        Outcome outcome = RunCommandTest.run("signal", "--listen", "127.0.0.1:0", "--config", file.toString(),
                "--study", "s1", "--keys", "k0,k1");
        assertThat(outcome.exitCode()).isEqualTo(Main.EXIT_ERROR);
        assertThat(outcome.err()).contains("study s1 is both in --config " + file + " and in --study");
    }

    @Test
    void aPortInUseIsAConfigurationError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String listen = "127.0.0.1:" + taken.getLocalPort();
            Outcome outcome = RunCommandTest.run("signal", "--listen", listen, "--study", "s1", "--keys", "k0,k1");
            assertThat(outcome.exitCode()).isEqualTo(Main.EXIT_ERROR);
            assertThat(outcome.err()).contains("ERROR: cannot listen on " + listen);
        }
    }

    @Test
    void anUnknownFlagExitsWithTwo() {
        assertThat(RunCommandTest.run("signal", "--listen", "127.0.0.1:0", "--bogus").exitCode())
                .isEqualTo(Main.EXIT_UNKNOWN_FLAG);
    }
}
