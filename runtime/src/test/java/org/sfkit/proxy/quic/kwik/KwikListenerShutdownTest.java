package org.sfkit.proxy.quic.kwik;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kwik 0.10.8 calls {@code System.exit(9)} when its server socket fails while open, and its
 * server thread is not a daemon. Runs {@link ListenerClosedWhileConnected} in a child JVM, which
 * must print its line, exit 0, and exit on its own (no lingering non-daemon thread).
 */
class KwikListenerShutdownTest {
    /**
     * Only detects a hang (a lingering non-daemon thread never ends). The child needs ~14 s on a
     * quiet 2-core machine (JVM start, two RSA keys, handshake, 3 s of traffic after the close) and
     * took 33 s, once over 60 s, with other builds loading the machine.
     */
    private static final long CHILD_DEADLINE_SECONDS = 180;

    @Test
    void closingTheListenerWhileConnectedLeavesTheJvmAliveAndAbleToExit(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("child.out");
        // Surefire's class path (a manifest-only jar works too: java honours its Class-Path).
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                ListenerClosedWhileConnected.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = child.waitFor(CHILD_DEADLINE_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(exited).as("child JVM exited by itself; output:%n%s", printed).isTrue();
        assertThat(child.exitValue()).as("exit status; output:%n%s", printed).isZero();
        assertThat(printed).contains(ListenerClosedWhileConnected.SURVIVED);
    }
}
