package org.sfkit.proxy.quic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sfkit.proxy.quic.kwik.KwikEngine;
import org.sfkit.proxy.quic.netty.NettyQuicEngine;

/** {@code --quic-engine auto}: Netty where its native library loads (CI included), kwik elsewhere. */
class QuicEnginesTest {

    @Test
    void autoIsNettyWhereTheNativeLibraryLoadsAndCiMustLoadIt() {
        QuicEngine auto = QuicEngines.select(QuicEngines.AUTO);
        if (NettyQuicEngine.isAvailable()) {
            assertThat(auto).isInstanceOf(NettyQuicEngine.class);
        } else {
            assertThat(auto).isInstanceOf(KwikEngine.class);
        }
        if ("true".equals(System.getenv("CI"))) {
            assertThat(NettyQuicEngine.isAvailable())
                    .as("Netty's native QUIC must load on CI (cause: %s)", NettyQuicEngine.unavailabilityCause())
                    .isTrue();
        }
    }

    /**
     * A host where the native library cannot be unpacked (its work directory cannot be created, as
     * with a temp directory that forbids it) gets kwik, and the log says why. In a JVM of its own:
     * Netty decides once per JVM.
     */
    @Test
    void autoFallsBackToKwikWhereTheNativeLibraryCannotLoad() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dio.netty.native.workdir=/proc/sfkit-no-such-dir", PrintAutoEngine.class.getName())
                .redirectErrorStream(true)
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).contains("engine=kwik").contains("kwik is slower but pure Java");
        assertThat(child.exitValue()).isZero();
    }

    /** Prints the engine {@code auto} chose. */
    public static final class PrintAutoEngine {
        public static void main(String[] args) {
            System.out.println("engine=" + QuicEngines.select(QuicEngines.AUTO).name());
        }
    }
}
