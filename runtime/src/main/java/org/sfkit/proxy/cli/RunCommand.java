package org.sfkit.proxy.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;
import org.sfkit.proxy.config.AddressPlan;
import org.sfkit.proxy.config.AddressPlans;
import org.sfkit.proxy.config.IpLiterals;
import org.sfkit.proxy.config.TomlAddressPlan;
import org.sfkit.proxy.config.TomlException;
import org.sfkit.proxy.config.VirtualAddressPlan;
import org.sfkit.proxy.logging.Logging;
import org.sfkit.proxy.auth.AuthorizationHeader;
import org.sfkit.proxy.auth.SignalingCredentials;
import org.sfkit.proxy.ice.IceOptions;
import org.sfkit.proxy.ice.LocalAddresses;
import org.sfkit.proxy.node.NodeConfig;
import org.sfkit.proxy.node.SignalledConfig;
import org.sfkit.proxy.node.SignalledNode;
import org.sfkit.proxy.node.StaticPeer;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngines;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.socks.SocksCredentials;
import org.sfkit.proxy.tls.Pem;
import org.sfkit.proxy.tls.SelfSignedCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The proxy itself, with the Go peer's flags (spec section 1) plus static-peer mode
 * ({@code --peer}), which needs no signalling server.
 */
@Command(name = "sfkit-proxy",
        sortOptions = false,
        usageHelpAutoWidth = true,
        // Fallback when no terminal width is known: wide enough for URLs and the examples.
        usageHelpWidth = 100,
        description = {
            "Connects the parties of an MPC study over QUIC. Local tools reach port p of party N at 10.0.0.N:p "
                + "through the SOCKS5 listener (and, with -mpc, at the peer addresses of an SF-GWAS "
                + "configGlobal.toml). A drop-in for the Go sfkit-proxy.",
            "",
            "Static mode (--peer, --peer-cert for every other party): no signalling server, no STUN.",
            "Signalling mode (-api, -study, -stun, -auth-key; peers from -mpc or --parties): parties find each "
                + "other through the signalling server and ICE (host and STUN server-reflexive candidates).",
            ""},
        footerHeading = "%nExamples (static mode, three parties on one host):%n",
        footer = {
            "  sfkit-proxy gencert --cert p0.pem --key p0.key          (likewise p1, p2)",
            "  sfkit-proxy -pid 0 --udp-port 9000 --cert p0.pem --key p0.key -v \\",
            "      --peer 1=127.0.0.1:9001 --peer-cert 1=p1.pem \\",
            "      --peer 2=127.0.0.1:9002 --peer-cert 2=p2.pem -socks socks5://localhost:7080",
            "  (parties 1 and 2 alike, with their own -pid, --udp-port, keys and peers)",
            "  curl --socks5-hostname localhost:7080 http://10.0.0.1:8080/    (port 8080 of party 1)",
            "",
            "  sfkit-proxy demo --size 64       (three parties in one JVM, throughput report)",
            "",
            "Exit status: 1 on configuration or fatal errors, 2 on an unknown flag, 128+signal on",
            "SIGINT/SIGTERM; it never ends by itself."},
        subcommands = {GenCertCommand.class, DemoCommand.class, SignalCommand.class})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    /** How long to wait for static peers before saying so in the log (the node keeps trying). */
    private static final Duration PEER_WAIT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = {"-api", "--api"}, paramLabel = "URL", defaultValue = "ws://host.docker.internal:8000/api/ice",
            description = "Signalling WebSocket URL (ws or wss). Default: ${DEFAULT-VALUE}")
    String api;

    @Option(names = {"-socks", "--socks"}, paramLabel = "URI", defaultValue = "socks5://localhost:7080",
            description = "SOCKS5 listener, socks5://[user:pass@]host:port; an empty host is loopback. "
                    + "Default: ${DEFAULT-VALUE}")
    String socks;

    @Option(names = {"-stun", "--stun"}, paramLabel = "URIS", defaultValue = "stun:stun.l.google.com:19302",
            description = "Comma-separated stun:host:port URIs (signalling mode); empty = none. Default: ${DEFAULT-VALUE}")
    String stun;

    @Option(names = {"-mpc", "--mpc"}, paramLabel = "FILE", defaultValue = "configGlobal.toml",
            description = "SF-GWAS global TOML: its peer addresses are routed too. A missing default file "
                    + "is ignored (10.0.0.N addresses only). Default: ${DEFAULT-VALUE}")
    Path mpc;

    @Option(names = {"-study", "--study"}, paramLabel = "ID", defaultValue = "",
            description = "Study id; required in signalling mode.")
    String study;

    @Option(names = {"-pid", "--pid"}, paramLabel = "N", defaultValue = "0",
            description = "Own party id, >= 0. Default: ${DEFAULT-VALUE}")
    int pid;

    @Option(names = {"-auth-key", "--auth-key"}, paramLabel = "KEY", defaultValue = "",
            description = "Website auth key; empty = cloud default credentials (signalling mode).")
    String authKey;

    @Option(names = {"-v", "--v"}, description = "More output; repeat: -v info, -vv debug, -vvv trace. Default: warnings only.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--socks-user", paramLabel = "NAME", description = "Require RFC 1929 username/password on the SOCKS listener.")
    String socksUser;

    @Option(names = "--socks-pass", paramLabel = "SECRET", description = "Password for --socks-user.")
    String socksPass;

    @Option(names = "--peer", paramLabel = "N=HOST:PORT",
            description = "Static mode: party N's QUIC server address. Repeat for every other party.")
    Map<Integer, String> peers = new TreeMap<>();

    @Option(names = "--peer-cert", paramLabel = "N=FILE",
            description = "Static mode: party N's certificate (PEM), pinned. Required for every --peer.")
    Map<Integer, Path> peerCerts = new TreeMap<>();

    @Option(names = "--udp-host", paramLabel = "IP", defaultValue = "0.0.0.0",
            description = "Static mode: address our QUIC server binds. Default: ${DEFAULT-VALUE}")
    String udpHost;

    @Option(names = "--udp-port", paramLabel = "PORT", defaultValue = "0",
            description = "Static mode: our QUIC server's UDP port (higher parties connect to it); 0 = ephemeral. Default: ${DEFAULT-VALUE}")
    int udpPort;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "Our certificate (PEM). Without --cert/--key a fresh one is made, which peers cannot pin in advance.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Our private key (PEM, PKCS#8 or PKCS#1).")
    Path key;

    @Option(names = "--parties", paramLabel = "N,M,...", split = ",",
            description = "Signalling mode: the parties of the study (ours included) when no -mpc file names them. "
                    + "A party that signals us first is answered either way.")
    List<Integer> parties = new ArrayList<>();

    @Option(names = "--ice-host", paramLabel = "IP", split = ",",
            description = "Signalling mode: our host-candidate addresses. Default: every IPv4 address of an "
                    + "interface that is up, except loopback and link-local (loopback when there is none).")
    List<String> iceHosts = new ArrayList<>();

    @Option(names = "--quic-engine", paramLabel = "auto|netty|kwik", defaultValue = "auto",
            description = "QUIC implementation. auto = Netty where its native library loads, else kwik. Default: ${DEFAULT-VALUE}")
    String quicEngine;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    int verbosity() {
        return verbose.length;
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbosity(), System.out);
        Run run = validate();
        return serve(run);
    }

    /** Everything {@link #serve} needs, checked. */
    sealed interface Run permits StaticRun, SignalledRun {
        SocksListenUri socks();

        AddressPlan plan();
    }

    record StaticRun(NodeConfig node, SocksListenUri socks, AddressPlan plan) implements Run {
    }

    record SignalledRun(SignalledConfig node, SocksListenUri socks, AddressPlan plan) implements Run {
    }

    /** Checks the flags in the Go peer's order, then the mode's own flags; throws for the first error. */
    Run validate() throws ConfigException {
        SocksListenUri socksUri = SocksListenUri.parse(socks);
        if (pid < 0) {
            throw new ConfigException("invalid party ID: " + pid + ", must be >=0");
        }
        boolean staticMode = !peers.isEmpty();
        if (!staticMode && study.isBlank()) {
            throw new ConfigException("empty study ID (or use static mode: --peer N=host:port --peer-cert N=FILE)");
        }
        Optional<TomlAddressPlan> toml = tomlPlan();
        // 10.0.0.N first, so a virtual address never falls through to a TOML route.
        AddressPlan plan = toml.isPresent() ? AddressPlans.combine(new VirtualAddressPlan(), toml.get()) : new VirtualAddressPlan();
        SocksCredentials credentials = socksCredentials(socksUri.credentials());
        if (!staticMode) {
            URI apiUri = checkSignallingUrl();
            Set<Integer> known = knownPeers(toml);
            IceOptions ice = new IceOptions(iceHosts(), stunServers());
            AuthorizationHeader authorization;
            try {
                authorization = SignalingCredentials.resolve(authKey);
            } catch (IOException e) {
                throw new ConfigException("no signalling credentials: " + e.getMessage(), e);
            }
            SignalledConfig node = new SignalledConfig(pid, apiUri, study, authorization, known, ice,
                    selectEngine(quicEngine), SignalledNode.settings());
            return new SignalledRun(node, new SocksListenUri(socksUri.bind(), credentials), plan);
        }
        if ((cert == null) != (key == null)) {
            throw new ConfigException("--cert and --key go together");
        }
        InetSocketAddress udpBind = udpBind();
        Map<Integer, StaticPeer> staticPeers = staticPeers();
        toml.ifPresent(t -> warnAboutUnlinkedParties(t, staticPeers.keySet()));
        QuicEngine engine = selectEngine(quicEngine);
        NodeConfig node = new NodeConfig(pid, identity(), udpBind, staticPeers, engine, QuicSettings.defaults());
        return new StaticRun(node, new SocksListenUri(socksUri.bind(), credentials), plan);
    }

    private int serve(Run run) throws Exception {
        return run instanceof SignalledRun signalled ? serveSignalled(signalled) : serveStatic((StaticRun) run);
    }

    /** Runs until a signal ends the JVM, or exits 1 when the signalling server refuses us for good. */
    private int serveSignalled(SignalledRun run) throws Exception {
        SignalledNode node = SignalledNode.start(run.node());
        RunningProxy proxy;
        try {
            proxy = RunningProxy.withSocks(node, "signalling=" + run.node().api() + " study=" + run.node().studyID(),
                    run.socks().bind(), run.plan(), run.socks().credentials());
        } catch (IOException e) {
            throw new ConfigException("cannot start: " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "sfkit-proxy-shutdown"));
        try {
            node.failure().get(); // never completes normally
            return 0;
        } catch (ExecutionException e) {
            proxy.close();
            throw new ConfigException(e.getCause().getMessage(), e.getCause());
        }
    }

    private int serveStatic(StaticRun run) throws Exception {
        RunningProxy proxy;
        try {
            proxy = RunningProxy.start(run.node(), run.socks().bind(), run.plan(), run.socks().credentials());
        } catch (IOException e) {
            throw new ConfigException("cannot start: " + e.getMessage(), e);
        }
        // The JVM exits with 128+signal on SIGINT/SIGTERM once hooks have run (130, 143), as the
        // spec asks; closing in a hook stops the listeners at once (field notes: a thread blocked
        // in accept() otherwise delays exit).
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "sfkit-proxy-shutdown"));
        if (!proxy.node().awaitPeers(PEER_WAIT)) {
            LOG.warning(() -> "not all peers connected after " + PEER_WAIT.toSeconds() + " s; still trying peers="
                    + run.node().peers().keySet() + " connected=" + proxy.node().connectedPeers());
        } else {
            LOG.info(() -> "all peers connected peers=" + run.node().peers().keySet());
        }
        new CountDownLatch(1).await(); // until a signal ends the JVM
        return 0;
    }

    /** The TOML plan when the file exists; a missing file is an error only when -mpc named it. */
    private Optional<TomlAddressPlan> tomlPlan() throws ConfigException {
        boolean explicit = spec.commandLine().getParseResult().hasMatchedOption("-mpc");
        if (!Files.exists(mpc)) {
            if (explicit) {
                throw new ConfigException("MPC config file not found: " + mpc);
            }
            LOG.info(() -> "no " + mpc + ": routing 10.0.0.N addresses only");
            return Optional.empty();
        }
        try {
            TomlAddressPlan toml = TomlAddressPlan.load(mpc, pid);
            LOG.info(() -> "MPC config file=" + mpc + " " + toml);
            return Optional.of(toml);
        } catch (IOException | TomlException e) {
            throw new ConfigException("cannot read MPC config " + mpc + ": " + e.getMessage(), e);
        }
    }

    /** A TOML party without a --peer cannot be reached: say so now rather than at the first connect. */
    private static void warnAboutUnlinkedParties(TomlAddressPlan toml, Set<Integer> peers) {
        Set<Integer> unlinked = unlinkedParties(toml, peers);
        if (!unlinked.isEmpty()) {
            LOG.warning(() -> "the MPC config names parties without --peer; their connections will fail parties=" + unlinked);
        }
    }

    static Set<Integer> unlinkedParties(TomlAddressPlan toml, Set<Integer> peers) {
        Set<Integer> named = new TreeSet<>(toml.remoteServers().keySet());
        named.addAll(toml.localListeners().keySet());
        named.removeAll(peers);
        return named;
    }

    private URI checkSignallingUrl() throws ConfigException {
        try {
            URI uri = new URI(api);
            String scheme = uri.getScheme();
            if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
                throw new ConfigException("invalid -api URL scheme: " + scheme + ", expected: ws or wss");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("invalid -api URL " + api + ": " + e.getMessage());
        }
    }

    /** The parties we contact first: the TOML's, else {@code --parties}, never ourselves. */
    private Set<Integer> knownPeers(Optional<TomlAddressPlan> toml) throws ConfigException {
        Set<Integer> known = new TreeSet<>(parties);
        toml.ifPresent(t -> {
            known.addAll(t.remoteServers().keySet());
            known.addAll(t.localListeners().keySet());
        });
        for (int p : known) {
            if (p < 0 || p > VirtualAddressPlan.MAX_PARTY) {
                throw new ConfigException("--parties: party ids are 0.." + VirtualAddressPlan.MAX_PARTY + ": " + p);
            }
        }
        known.remove(pid);
        if (known.isEmpty()) {
            LOG.warning("no -mpc file or --parties names the other parties: waiting for them to signal us first");
        }
        return known;
    }

    /** {@code -stun}: comma-separated {@code stun:host:port} (RFC 7064); empty = none. */
    private List<InetSocketAddress> stunServers() throws ConfigException {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String uri : stun.split(",")) {
            String text = uri.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (!text.startsWith("stun:")) {
                throw new ConfigException("-stun " + text + ": expected stun:host:port");
            }
            String hostPort = text.substring("stun:".length());
            int colon = hostPort.lastIndexOf(':');
            try {
                String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
                // RFC 7064 section 3.2: the default STUN port is 3478.
                int port = colon < 0 ? 3478 : Integer.parseInt(hostPort.substring(colon + 1));
                InetSocketAddress server = new InetSocketAddress(host, port);
                if (server.isUnresolved()) {
                    LOG.warning(() -> "-stun " + text + ": cannot resolve " + host + "; skipping it");
                    continue;
                }
                servers.add(server);
            } catch (IllegalArgumentException e) { // NumberFormatException and port range included
                throw new ConfigException("-stun " + text + ": bad port", e);
            }
        }
        return servers;
    }

    private List<InetAddress> iceHosts() throws ConfigException {
        if (iceHosts.isEmpty()) {
            try {
                return LocalAddresses.usable();
            } catch (IOException e) {
                throw new ConfigException("cannot list local addresses: " + e.getMessage(), e);
            }
        }
        List<InetAddress> hosts = new ArrayList<>();
        for (String h : iceHosts) {
            hosts.add(IpLiterals.parse(h).orElseThrow(() -> new ConfigException("--ice-host must be an IP address: " + h)));
        }
        return hosts;
    }

    private SocksCredentials socksCredentials(SocksCredentials fromUri) throws ConfigException {
        if ((socksUser == null) != (socksPass == null)) {
            throw new ConfigException("--socks-user and --socks-pass go together");
        }
        if (socksUser == null) {
            return fromUri;
        }
        try {
            return new SocksCredentials(socksUser, socksPass);
        } catch (IllegalArgumentException e) { // RFC 1929 section 2: each field at most 255 bytes
            throw new ConfigException("--socks-user/--socks-pass: " + e.getMessage(), e);
        }
    }

    private TlsIdentity identity() throws ConfigException {
        try {
            if (cert != null) {
                return Pem.readIdentity(cert, key);
            }
            List<InetAddress> ips = new ArrayList<>();
            ips.add(InetAddress.getLoopbackAddress());
            IpLiterals.parse(udpHost).filter(ip -> !ip.isAnyLocalAddress() && !ip.isLoopbackAddress()).ifPresent(ips::add);
            TlsIdentity fresh = SelfSignedCertificates.generate(ips);
            LOG.warning(() -> "no --cert/--key: made a fresh certificate sha256=" + fingerprint(fresh.certificate())
                    + "; peers must pin it (sfkit-proxy gencert makes a reusable one)");
            return fresh;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("cannot read our identity (" + cert + ", " + key + "): " + e.getMessage(), e);
        }
    }

    private InetSocketAddress udpBind() throws ConfigException {
        if (udpPort < 0 || udpPort > 65535) {
            throw new ConfigException("--udp-port out of range: " + udpPort);
        }
        InetAddress host = IpLiterals.parse(udpHost)
                .orElseThrow(() -> new ConfigException("--udp-host must be an IP address: " + udpHost));
        return new InetSocketAddress(host, udpPort);
    }

    private Map<Integer, StaticPeer> staticPeers() throws ConfigException {
        if (!peerCerts.keySet().equals(peers.keySet())) {
            throw new ConfigException("every --peer needs a --peer-cert and the other way round: peers="
                    + peers.keySet() + " certs=" + peerCerts.keySet());
        }
        Map<Integer, StaticPeer> result = new LinkedHashMap<>();
        for (Map.Entry<Integer, String> peer : peers.entrySet()) {
            int peerPid = peer.getKey();
            if (peerPid == pid || peerPid < 0 || peerPid > VirtualAddressPlan.MAX_PARTY) {
                throw new ConfigException("--peer " + peerPid + ": party ids are 0.." + VirtualAddressPlan.MAX_PARTY
                        + " and not our own (" + pid + ")");
            }
            result.put(peerPid, new StaticPeer(peerPid, endpoint(peer.getValue(), peerPid), peerCertificate(peerPid)));
        }
        return result;
    }

    private static InetSocketAddress endpoint(String hostPort, int peerPid) throws ConfigException {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException("--peer " + peerPid + "=" + hostPort + ": expected host:port");
        }
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException("--peer " + peerPid + "=" + hostPort + ": bad port");
        }
        try {
            // A literal is parsed without lookup; a name is resolved once, here.
            return new InetSocketAddress(InetAddress.getByName(host.replaceAll("^\\[|\\]$", "")), port);
        } catch (IOException e) {
            throw new ConfigException("--peer " + peerPid + "=" + hostPort + ": unknown host");
        }
    }

    private X509Certificate peerCertificate(int peerPid) throws ConfigException {
        Path file = peerCerts.get(peerPid);
        try {
            return Pem.parseCertificate(Files.readString(file));
        } catch (IOException | CertificateException e) {
            throw new ConfigException("--peer-cert " + peerPid + "=" + file + ": " + e.getMessage(), e);
        }
    }

    /** The engine named by {@code --quic-engine}; an unknown one or one that cannot run here is a configuration error. */
    static QuicEngine selectEngine(String name) throws ConfigException {
        try {
            return QuicEngines.select(name);
        } catch (IllegalArgumentException e) { // unknown, or cannot run here; the message says which
            String message = e.getMessage();
            throw new ConfigException(message.startsWith("--quic-engine") ? message : "--quic-engine " + name + ": " + message, e);
        }
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 and DER encoding are always available", e);
        }
    }
}
