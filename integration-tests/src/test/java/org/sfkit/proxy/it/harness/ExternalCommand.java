package org.sfkit.proxy.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a real client (curl, ncat, a child JVM) to completion with a deadline. */
public final class ExternalCommand {
    private ExternalCommand() {
    }

    /** How a command ended; {@code stderr} is kept for assertion messages. */
    public record Result(List<String> command, int exitCode, String stderr) {
        public String describe() {
            return String.join(" ", command) + " exited " + exitCode + "; stderr: " + stderr.strip();
        }
    }

    /**
     * @param stdin a file fed to the command, or null for none (stdin closed at once)
     * @param stdout receives everything the command prints on stdout (streamed, any size)
     */
    public static Result run(List<String> command, Path stdin, OutputStream stdout, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        Process process = builder.start();
        if (stdin == null) {
            process.getOutputStream().close();
        }
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> copy(process.getInputStream(), stdout));
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                    + "; stderr: " + stderr.join());
        }
        copy.join();
        return new Result(command, process.exitValue(), stderr.join());
    }

    /** For commands whose stdout is small: returns it as text in the result's place. */
    public static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        return run(command, null, OutputStream.nullOutputStream(), timeout);
    }

    private static String drain(InputStream in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        copy(in, bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void copy(InputStream in, OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
