package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
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
        Sha256 body = new Sha256();
        ExternalCommand.Result result = ExternalCommand.run(List.of("curl", "--silent", "--show-error",
                "--fail", "--max-time", Long.toString(timeout.toSeconds()),
                naming.flag, proxy.getHostString() + ":" + proxy.getPort(), "--output", "-", url),
                null, body, timeout.plusSeconds(30));
        return new Download(result, body.count(), body.hex());
    }
}
