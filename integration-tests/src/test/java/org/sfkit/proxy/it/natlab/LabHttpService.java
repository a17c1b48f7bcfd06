package org.sfkit.proxy.it.natlab;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.sfkit.proxy.it.harness.HttpFileServer;
import org.sfkit.proxy.it.harness.ProxyProcess;

/**
 * A party's own web service, run inside its lab namespace (a child JVM under
 * {@code ip netns exec}): {@link HttpFileServer} on that namespace's 127.0.0.1, which only the
 * party's proxy can reach. Prints {@code http service ready port=N}; runs until killed.
 */
public final class LabHttpService {
    static final String READY_MARKER = "http service ready port=";

    private LabHttpService() {
    }

    /** The port a started service printed in its ready line. */
    static int port(ProxyProcess service) {
        String line = service.readyLine();
        return Integer.parseInt(line.substring(line.indexOf(READY_MARKER) + READY_MARKER.length()).strip());
    }

    /** Argument: the directory to serve. */
    public static void main(String[] args) throws Exception {
        HttpFileServer server = HttpFileServer.serve(Path.of(args[0]));
        System.out.println(READY_MARKER + server.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
