package org.sfkit.proxy.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** curl through a SOCKS5 proxy, its download hashed on the fly. */
public final class Curl {
    private Curl() {
    }

    /** How curl names the destination to the proxy. */
    public enum Naming {
        /** {@code --socks5}: curl resolves the name itself and sends an address. */
        SOCKS5("--socks5"),
        /** {@code --socks5-hostname}: curl leaves resolution to the proxy. */
        SOCKS5_HOSTNAME("--socks5-hostname");

        final String flag;

        Naming(String flag) {
            this.flag = flag;
        }
    }

    /** What arrived: bytes and their SHA-256, with curl's exit status for the failure message. */
    public record Download(ExternalCommand.Result result, long size, String sha256) {
    }

    public static Download fetch(InetSocketAddress proxy, Naming naming, String url, Duration timeout)
            throws IOException, InterruptedException {
        return fetch(List.of(), proxy, naming, url, timeout);
    }

    /** As {@link #fetch(InetSocketAddress, Naming, String, Duration)}, curl run behind {@code prefix} (e.g. {@code ip netns exec NS}). */
    public static Download fetch(List<String> prefix, InetSocketAddress proxy, Naming naming, String url,
                                 Duration timeout) throws IOException, InterruptedException {
        Sha256 body = new Sha256();
        ExternalCommand.Result result = ExternalCommand.run(command(prefix, proxy, naming, timeout,
                "--output", "-", url), null, body, timeout.plusSeconds(30));
        return new Download(result, body.count(), body.hex());
    }

    /**
     * PUTs {@code file} to {@code url} (curl {@code --upload-file}); returns the server's answer
     * as text in place of a hash (see {@link HttpFileServer}: the SHA-256 of what it received).
     */
    public static Upload upload(List<String> prefix, InetSocketAddress proxy, Naming naming, Path file, String url,
                                Duration timeout) throws IOException, InterruptedException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ExternalCommand.Result result = ExternalCommand.run(command(prefix, proxy, naming, timeout,
                // No "Expect: 100-continue": curl would wait a second for a 100 the server may not send.
                "--header", "Expect:", "--upload-file", file.toString(), url), null, answer, timeout.plusSeconds(30));
        return new Upload(result, answer.toString(StandardCharsets.UTF_8).strip());
    }

    /** What the server answered to an upload, with curl's exit status for the failure message. */
    public record Upload(ExternalCommand.Result result, String answer) {
    }

    private static List<String> command(List<String> prefix, InetSocketAddress proxy, Naming naming,
                                        Duration timeout, String... request) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("curl", "--silent", "--show-error", "--fail",
                "--max-time", Long.toString(timeout.toSeconds()),
                naming.flag, proxy.getHostString() + ":" + proxy.getPort()));
        command.addAll(List.of(request));
        return command;
    }
}
