package org.sfkit.proxy.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sfkit.proxy.logging.Logging;
import org.sfkit.proxy.signal.server.SignalingServer;
import org.sfkit.proxy.signal.server.StudyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Our own {@code /api/ice} signalling server (spec section 3, the website's semantics), for
 * parties that run without the sfkit website: party i of a study authenticates with the i-th key.
 */
@Command(name = "signal", sortOptions = false,
        header = "Runs a self-hosted signalling server (/api/ice) in place of the sfkit website.",
        description = {
            "Serves the signalling WebSocket the parties' -api flag points to, with the website's rules: "
                + "Origin check, 401 for an unknown key, 400 for an unknown study, the 101 held back until "
                + "every party of the study has connected, sourcePID set from the key, messages forwarded "
                + "to targetPID. Party i authenticates with the i-th key (-auth-key).",
            "",
            "One study: --study ID --keys KEY0,KEY1,...; several: --config FILE with JSON",
            "  {\"studies\":{\"<id>\":[\"<key0>\",\"<key1>\",...],...}}",
            "(both may be given if the study IDs differ)."},
        footerHeading = "%nExample:%n",
        footer = {
            "  sfkit-proxy signal --listen 0.0.0.0:8000 --study s1 --keys k0,k1,k2",
            "  sfkit-proxy -api ws://<server>:8000/api/ice -study s1 -pid 1 -auth-key k1 ...",
            "",
            "Exit status: 1 on configuration errors (or when the port cannot be bound), 2 on an",
            "unknown flag, 128+signal on SIGINT/SIGTERM; it never ends by itself."})
final class SignalCommand implements Callable<Integer> {
    /** The path the parties' -api URL names; the server answers on any path, as one endpoint. */
    static final String API_PATH = "/api/ice";

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "Address to listen on, e.g. 0.0.0.0:8000 or [::1]:8000; port 0 picks a free one.")
    String listen;

    @Option(names = "--study", paramLabel = "ID", description = "The study's ID (X-MPC-Study-ID); needs --keys.")
    String study;

    @Option(names = "--keys", split = ",", paramLabel = "KEY",
            description = "The study's auth keys, comma-separated: the i-th key is party i's.")
    List<String> keys;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file with several studies (see above).")
    Path config;

    @Option(names = {"-v", "--v"}, description = "More log output (connections, refusals); repeat for debug.")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose.length, System.out);
        InetSocketAddress bind = listenAddress(listen);
        Map<String, List<String>> studies = studies();
        SignalingServer server;
        try {
            server = SignalingServer.start(bind, studies);
        } catch (IOException e) {
            throw new ConfigException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        // The JVM exits with 128+signal on SIGINT/SIGTERM once hooks have run (spec section 1);
        // closing sends the parties a close frame before the sockets go.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "sfkit-signal-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        // Printed whatever the verbosity: operators copy the URL into the parties' -api flag.
        out.println("signalling server ready url=ws://" + RunningProxy.hostPort(server.address()) + API_PATH
                + " studies=" + describe(studies));
        out.flush();
        new CountDownLatch(1).await(); // until a signal ends the JVM
        return 0;
    }

    /** {@code HOST:PORT}, IPv6 in brackets; a name is resolved once, here. */
    static InetSocketAddress listenAddress(String value) throws ConfigException {
        URI uri;
        try {
            uri = new URI("ws://" + value.strip()).parseServerAuthority();
        } catch (URISyntaxException e) {
            throw new ConfigException("--listen " + value + ": expected HOST:PORT, e.g. 0.0.0.0:8000");
        }
        if (uri.getHost() == null || uri.getPort() < 0 || !uri.getRawPath().isEmpty() || uri.getRawUserInfo() != null) {
            throw new ConfigException("--listen " + value + ": expected HOST:PORT, e.g. 0.0.0.0:8000");
        }
        if (uri.getPort() > 65535) {
            throw new ConfigException("--listen " + value + ": port out of range");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(uri.getHost().replaceAll("^\\[|\\]$", "")), uri.getPort());
        } catch (UnknownHostException e) {
            throw new ConfigException("--listen " + value + ": unknown host " + uri.getHost());
        }
    }

    /** The studies of --config and --study/--keys together; a study ID given twice is an error. */
    private Map<String, List<String>> studies() throws ConfigException {
        Map<String, List<String>> studies = new LinkedHashMap<>();
        if (config != null) {
            try {
                studies.putAll(StudyConfig.load(config));
            } catch (IOException e) {
                throw new ConfigException("--config: " + e.getMessage(), e);
            }
        }
        if ((study == null) != (keys == null)) {
            throw new ConfigException("--study and --keys go together");
        }
        if (study != null) {
            if (studies.containsKey(study)) {
                throw new ConfigException("study " + study + " is both in --config " + config + " and in --study");
            }
            try {
                studies.put(study, StudyConfig.checkedKeys(study, keys));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--study/--keys: " + e.getMessage(), e);
            }
        }
        if (studies.isEmpty()) {
            throw new ConfigException("no study: give --study ID --keys KEY0,KEY1,... or --config FILE");
        }
        return studies;
    }

    /** Study IDs with their party counts; never the keys, which are secrets. */
    private static String describe(Map<String, List<String>> studies) {
        List<String> parts = new ArrayList<>();
        studies.forEach((id, studyKeys) -> parts.add(id + "(" + studyKeys.size() + " parties)"));
        return String.join(",", parts);
    }
}
