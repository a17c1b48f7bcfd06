package org.sfkit.proxy.it;

import java.nio.file.Path;
import java.time.Duration;
import org.sfkit.proxy.it.harness.Cluster;
import org.sfkit.proxy.it.harness.Curl;
import org.sfkit.proxy.it.harness.HttpFileServer;
import org.sfkit.proxy.it.harness.ItEnvironment;
import org.sfkit.proxy.it.harness.TestFiles;
import org.sfkit.proxy.it.harness.TestFiles.DataFile;

/**
 * The body of {@link NetworkNamespaceIT}, run by it in a child JVM inside the namespace: two
 * proxies, a web server at party 1, curl at party 0 in both SOCKS namings. Exit 0 and
 * {@link #SUCCESS} on stdout when every download arrived intact.
 */
public final class NamespaceScenario {
    static final String SUCCESS = "namespace scenario ok";
    /** The point is where packets go, not volume. */
    private static final long SIZE = 32 * TestFiles.MIB;
    private static final Duration CURL_TIMEOUT = Duration.ofMinutes(2);

    private NamespaceScenario() {
    }

    public static void main(String[] args) throws Exception {
        String engine = args[0];
        Path data = ItEnvironment.workDir("data");
        DataFile file = TestFiles.ensure(data, "namespace-32m.bin", SIZE);
        String failure = null;
        try (HttpFileServer http = HttpFileServer.serve(data);
             Cluster cluster = Cluster.start("NetworkNamespaceIT-" + engine, engine, 2)) {
            String url = "http://" + Cluster.partyHost(1) + ":" + http.port() + "/" + file.name();
            for (Curl.Naming naming : Curl.Naming.values()) {
                Curl.Download got = Curl.fetch(cluster.socks(0), naming, url, CURL_TIMEOUT);
                if (got.result().exitCode() != 0 || !got.sha256().equals(file.sha256())) {
                    failure = naming + " failed: " + got.result().describe() + ", " + got.size()
                            + " bytes, sha256 " + got.sha256() + " expected " + file.sha256();
                    break;
                }
            }
        }
        // Only after the proxies are stopped: an exit with them running would orphan them.
        if (failure != null) {
            System.out.println(failure);
            System.exit(1);
        }
        System.out.println(SUCCESS);
    }
}
