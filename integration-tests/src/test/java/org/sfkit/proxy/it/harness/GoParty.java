package org.sfkit.proxy.it.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Our Go test party ({@code src/test/go/sfkitgo}), built from the Go peer's own libraries as
 * Debian packages them (pion/ice v2, quic-go 0.29, gorilla/websocket) in GOPATH mode, offline.
 * One process is one party: its stdout lines ({@code QUIC addr}, {@code FORWARD lport pid rport},
 * {@code CONNECTED pid addr}, ...) are queued for {@link #awaitLine}, its stderr goes to a log file.
 */
public final class GoParty implements AutoCloseable {
    /** Where Debian installs Go library sources (golang-*-dev packages). */
    private static final Path DEBIAN_GOPATH = Path.of("/usr/share/gocode");
    /** A cold build of quic-go and pion took 18 s here; leave room for a loaded CI machine. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static Path binary;

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new ArrayList<>(); // guarded by itself

    private GoParty(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Builds the party once per test JVM. Skips the calling test (an assumption, not a failure)
     * when {@code go} or the Debian Go packages are missing; .ci/run installs them.
     */
    public static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        Assumptions.assumeTrue(onPath("go") && Files.isDirectory(DEBIAN_GOPATH.resolve("src/github.com/lucas-clemente/quic-go")),
                "go or the Debian Go packages are missing: apt-get install golang-go golang-github-pion-ice.v2-dev"
                        + " golang-github-lucas-clemente-quic-go-dev golang-github-gorilla-websocket-dev");
        Path work = ItEnvironment.workDir("go");
        Path out = work.resolve("sfkitgo");
        ProcessBuilder build = new ProcessBuilder("go", "build", "-o", out.toString(), ".")
                .directory(Path.of("src/test/go/sfkitgo").toAbsolutePath().toFile())
                .redirectErrorStream(true);
        // GOPATH mode against Debian's sources: no module download, no network.
        build.environment().put("GO111MODULE", "off");
        build.environment().put("GOPATH", DEBIAN_GOPATH.toString());
        build.environment().put("GOCACHE", work.resolve("cache").toString());
        build.environment().put("GOFLAGS", "");
        // No C compiler needed (Go 1.19 fails without one when cgo is on); the party uses no C.
        build.environment().put("CGO_ENABLED", "0");
        long start = System.nanoTime();
        Process process = build.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError("go build of sfkitgo failed:\n" + output);
        }
        System.out.printf("built sfkitgo in %.1f s%n", (System.nanoTime() - start) / 1e9);
        binary = out;
        return binary;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code sfkitgo arguments...} until the test closes it. */
    public static GoParty start(String name, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(arguments);
        Path log = ItEnvironment.workDir("logs").resolve(name + ".log");
        Files.writeString(log, "# " + String.join(" ", command) + "\n");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process.getOutputStream().close();
        GoParty party = new GoParty(name, process, log);
        Thread reader = new Thread(party::pump, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return party;
    }

    /** Runs {@code sfkitgo arguments...} to completion (e.g. {@code gencert}). */
    public static void run(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(arguments);
        ExternalCommand.Result result = ExternalCommand.run(command, Duration.ofSeconds(60));
        if (result.exitCode() != 0) {
            throw new AssertionError(result.describe());
        }
    }

    private void pump() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // killed
        }
    }

    /** The first stdout line starting with {@code prefix}, printed already or within {@code timeout}. */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
        throw new AssertionError(name + " printed no '" + prefix + "' line within " + timeout
                + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "; log " + log
                + ":\n" + logTail());
    }

    /** The last lines of the party's stderr log, for assertion messages. */
    public String logTail() throws IOException {
        List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
