package org.sfkit.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sfkit.proxy.it.harness.ExternalCommand;
import org.sfkit.proxy.it.harness.ItEnvironment;

/**
 * Proof that the proxies never send to 10.0.0.0/24: the whole scenario (two proxies, web server,
 * curl) runs in a fresh network namespace whose only interface is loopback, where any packet to
 * 10.0.0.x fails with "network unreachable". Needs root (CI is root).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetworkNamespaceIT {
    private static final Duration SCENARIO_TIMEOUT = Duration.ofMinutes(4);

    @BeforeAll
    static void namespacesAvailable() throws Exception {
        ExternalCommand.Result probe = ExternalCommand.run(List.of("unshare", "-n", "true"), Duration.ofSeconds(30));
        assumeTrue(probe.exitCode() == 0, "cannot create a network namespace here: " + probe.describe());
    }

    @ParameterizedTest(name = "{0}: curl through two proxies inside a loopback-only network namespace")
    @MethodSource("org.sfkit.proxy.it.harness.ItEnvironment#engineNames")
    void scenarioPassesWithoutAnyRouteTo10000(String engine) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ExternalCommand.Result result = ExternalCommand.run(List.of("unshare", "-n", "--", "sh", "-c",
                // Prove first that 10.0.0.x is unroutable here, then run the scenario in the same namespace.
                "ip link set lo up && ! ip route get 10.0.0.1 >/dev/null 2>&1 && exec \"$@\"", "sh",
                ItEnvironment.javaCommand(),
                "-Dsfkit.proxy.jar=" + ItEnvironment.proxyJar(),
                "-Dit.work.dir=" + ItEnvironment.workDir("."),
                "-Dit.quic.engines=" + engine,
                "-cp", System.getProperty("java.class.path"),
                NamespaceScenario.class.getName(), engine), null, stdout, SCENARIO_TIMEOUT);

        String output = stdout.toString(StandardCharsets.UTF_8);
        assertThat(result.exitCode()).as(() -> result.describe() + "; stdout: " + output).isZero();
        assertThat(output).contains(NamespaceScenario.SUCCESS);
    }
}
