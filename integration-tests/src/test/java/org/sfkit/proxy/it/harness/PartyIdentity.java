package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A party's certificate and key, made by the jar's own {@code gencert} command (so that command
 * is tested too) once per party number per build, under target/it/certs.
 */
public record PartyIdentity(Path cert, Path key) {
    /** gencert is a JVM start plus an RSA-2048 key generation. */
    private static final Duration GENCERT_TIMEOUT = Duration.ofSeconds(60);

    public static synchronized PartyIdentity of(int pid) throws IOException, InterruptedException {
        Path dir = ItEnvironment.workDir("certs");
        PartyIdentity identity = new PartyIdentity(dir.resolve("party" + pid + ".crt"),
                dir.resolve("party" + pid + ".key"));
        if (Files.isRegularFile(identity.cert) && Files.isRegularFile(identity.key)) {
            return identity;
        }
        ExternalCommand.Result result = ExternalCommand.run(List.of(ItEnvironment.javaCommand(), "-jar",
                ItEnvironment.proxyJar().toString(), "gencert", "--cert", identity.cert.toString(),
                "--key", identity.key.toString(), "--ip", "127.0.0.1"), GENCERT_TIMEOUT);
        if (result.exitCode() != 0 || !Files.isRegularFile(identity.cert) || !Files.isRegularFile(identity.key)) {
            throw new IOException("gencert failed: " + result.describe());
        }
        return identity;
    }
}
