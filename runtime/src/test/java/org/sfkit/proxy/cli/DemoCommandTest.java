package org.sfkit.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    @AfterEach
    void resetLogging() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    @Test
    void everyPairTransfersThroughSocksAndKwik() {
        assertEveryPairTransfers("kwik");
    }

    @Test
    void everyPairTransfersThroughSocksAndNetty() {
        assertEveryPairTransfers("netty");
    }

    @Test
    void refusesAnEmptyTransfer() {
        RunCommandTest.Outcome outcome = RunCommandTest.run("demo", "--size", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--size must be at least 1 MiB");
    }

    @Test
    void refusesAnUnknownEngine() {
        RunCommandTest.Outcome outcome = RunCommandTest.run("demo", "--quic-engine", "bogus");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("bogus").doesNotContain("\tat ");
    }

    private static void assertEveryPairTransfers(String engine) {
        RunCommandTest.Outcome outcome = RunCommandTest.run("demo", "--size", "4", "--quic-engine", engine);

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("all 6 pairs ok");
        for (String pair : new String[] {"0->1", "0->2", "1->0", "1->2", "2->0", "2->1"}) {
            assertThat(outcome.out()).containsPattern(
                    "(?m)^" + pair + " +" + engine + " +host +[\\d.]+ +4194304 +[\\d.]+$");
        }
    }
}
