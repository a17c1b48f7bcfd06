package org.sfkit.proxy.it.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code java -jar sfkit-proxy.jar ...} child process (optionally behind a command prefix
 * such as {@code ip netns exec NS}): its stdout goes line by line to a log file under
 * target/it/logs (kept for the post-mortem of a failed run), and {@link #start} returns once it
 * has logged {@code proxy ready} (or the ready marker it was given).
 */
public final class ProxyProcess implements AutoCloseable {
    public static final String READY_MARKER = "proxy ready";
    /** What {@code sfkit-proxy.jar signal} prints once it listens. */
    public static final String SIGNAL_READY_MARKER = "signalling server ready";
    /** Lines kept in memory for failure messages; the full log is in the file. */
    private static final int TAIL_LINES = 40;
    /** A JVM start plus certificate loading on a busy 2-core CI machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Grace for an orderly exit after SIGTERM before SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Children still running, stopped by a shutdown hook if the test JVM ends first (e.g. a timeout). */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "proxy-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final Deque<String> tail = new ArrayDeque<>();
    private final String readyMarker;
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private ProxyProcess(String name, Process process, Path log, String readyMarker) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.readyMarker = readyMarker;
    }

    /** Thrown when the child exits or stays silent before it is ready; carries its last log lines. */
    public static final class StartFailure extends IOException {
        StartFailure(String message) {
            super(message);
        }
    }

    /** Runs the jar with {@code arguments} (after {@code -jar jar}) and waits for readiness. */
    public static ProxyProcess start(String name, List<String> arguments, Path log) throws IOException {
        return launch(name, arguments, log).awaitReady();
    }

    /** Runs the jar with {@code arguments} without waiting: start several, then {@link #awaitReady} each. */
    public static ProxyProcess launch(String name, List<String> arguments, Path log) throws IOException {
        return launch(name, List.of(), arguments, log, READY_MARKER);
    }

    /**
     * Runs {@code prefix java -jar jar arguments} without waiting; ready once a line contains
     * {@code readyMarker}. The prefix must exec the JVM (as {@code ip netns exec} does), so that
     * {@link #pid()} and the signals of {@link #close()} reach the JVM itself.
     */
    public static ProxyProcess launch(String name, List<String> prefix, List<String> arguments, Path log,
                                      String readyMarker) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ItEnvironment.javaCommand(), "-jar", ItEnvironment.proxyJar().toString()));
        command.addAll(arguments);
        return launchCommand(name, command, log, readyMarker);
    }

    /**
     * Any other long-running child (a STUN server, a service in a network namespace) with the
     * same logging, readiness and clean-up as the proxies.
     */
    public static ProxyProcess launchCommand(String name, List<String> command, Path log, String readyMarker)
            throws IOException {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        RUNNING.add(process);
        process.onExit().thenAccept(RUNNING::remove);
        process.getOutputStream().close();
        ProxyProcess proxy = new ProxyProcess(name, process, log, readyMarker);
        Thread reader = new Thread(() -> proxy.pump(String.join(" ", command)), name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return proxy;
    }

    /** Blocks until the process logged its ready marker; on failure stops it and says why. */
    public ProxyProcess awaitReady() throws StartFailure {
        try {
            ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new StartFailure(name + " was not ready (" + describe(e) + "); log " + log
                    + ", last lines:\n" + tail());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new StartFailure(name + ": interrupted while waiting for readiness");
        }
    }

    private String describe(Exception e) {
        return e instanceof TimeoutException ? "no '" + readyMarker + "' within " + READY_TIMEOUT
                : e.getCause().getMessage();
    }

    /** The line that contained the ready marker (after {@link #awaitReady}). */
    public String readyLine() {
        return ready.getNow(null);
    }

    private void pump(String commandLine) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            file.println("# " + commandLine);
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                file.println(line);
                remember(line);
                if (line.contains(readyMarker)) {
                    ready.complete(line);
                }
            }
        } catch (IOException e) {
            // The pipe broke because the process was killed; the exit below says so.
        }
        ready.completeExceptionally(new IOException("exited with code " + exitCodeOrUnknown()));
    }

    private String exitCodeOrUnknown() {
        try {
            return process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    ? Integer.toString(process.exitValue()) : "unknown (stdout closed, still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    private synchronized void remember(String line) {
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    /** The last lines the process printed, for assertion messages. */
    public synchronized String tail() {
        return String.join("\n", tail);
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status, once the process has ended (after {@link #close()}). */
    public int exitValue() {
        return process.exitValue();
    }

    /** SIGKILL, as when a party's machine dies: no goodbye reaches the peers. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
