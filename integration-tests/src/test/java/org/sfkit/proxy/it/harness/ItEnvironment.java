package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** What the build hands the integration tests (see integration-tests/pom.xml). */
public final class ItEnvironment {
    private ItEnvironment() {
    }

    /** The QUIC engines under test; the pom property {@code it.quic.engines} is the one list. */
    public static List<String> engines() {
        return Arrays.stream(required("it.quic.engines").split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .toList();
    }

    /** For {@code @MethodSource("org.sfkit.proxy.it.harness.ItEnvironment#engineNames")}. */
    public static Stream<String> engineNames() {
        return engines().stream();
    }

    public static Path proxyJar() {
        Path jar = Path.of(required("sfkit.proxy.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the agent module first");
        }
        return jar;
    }

    /** Scratch space under target/ for logs, certificates and generated files. */
    public static Path workDir(String sub) {
        Path dir = Path.of(required("it.work.dir"), sub).toAbsolutePath().normalize();
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java launcher of the JVM running the tests, for child JVMs. */
    public static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property
                    + " is not set (run through mvn verify, which sets it in integration-tests/pom.xml)");
        }
        return value;
    }
}
