package org.sfkit.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    @AfterEach
    void resetLogging() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    @Test
    @Disabled("needs QuicEngines.select and SocksServer, stubs on this branch until the engine and socks branches merge")
    void everyPairTransfersThroughSocksAndQuic() {
        RunCommandTest.Outcome outcome = RunCommandTest.run("demo", "--size", "4");

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("all 6 pairs ok");
        for (String pair : new String[] {"0->1", "0->2", "1->0", "1->2", "2->0", "2->1"}) {
            assertThat(outcome.out()).containsPattern("(?m)^" + pair + " +\\w+ +loopback static +[\\d.]+ +4194304 +[\\d.]+$");
        }
    }

    @Test
    void refusesAnEmptyTransfer() {
        RunCommandTest.Outcome outcome = RunCommandTest.run("demo", "--size", "0");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("--size must be at least 1 MiB");
    }
}
