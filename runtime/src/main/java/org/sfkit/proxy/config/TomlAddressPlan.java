package org.sfkit.proxy.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SF-GWAS TOML plan (spec section 2). For every server S and client C (S &lt; C) with
 * {@code [servers.partyS] ports.partyC = "port"} and thread t &lt; {@code mpc_num_threads}:
 * <ul>
 *   <li>on party C, connections to {@code ipaddr_S:(port+t)}, and to {@code 127.0.0.1} or
 *       {@code [::1]} at that port, go to party S, port {@code port+t};
 *   <li>on party S nothing is routed: the stream from C names the port, and the tunnel responder
 *       connects to {@code 127.0.0.1:port}, where the MPC tool listens (sfkit rewrites every
 *       {@code ipaddr} to 127.0.0.1 when the proxy is on; SF-GWAS binds {@code binding_ipaddr},
 *       0.0.0.0 by default). {@link #localListeners()} records those ports for the log.
 * </ul>
 * Addresses are matched as text after normalising IP literals; names other than {@code localhost}
 * are never resolved.
 */
public final class TomlAddressPlan implements AddressPlan {
    /** Spec section 2: "PID = first digits of partyN", as the Go peer's {@code \d+}. */
    private static final Pattern PID_DIGITS = Pattern.compile("\\d+");
    /** SF-GWAS' own default when the key is absent (sfgwas config defaults). */
    private static final int DEFAULT_THREADS = 1;

    private final int localPid;
    private final int threads;
    /** On the client side: "ip:port" (normalised) -> the server party and port. */
    private final Map<String, PartyTarget> routes;
    /** On the server side: client pid -> the local ports the MPC tool listens on for it. */
    private final Map<Integer, List<Integer>> localListeners;

    private TomlAddressPlan(int localPid, int threads, Map<String, PartyTarget> routes,
                            Map<Integer, List<Integer>> localListeners) {
        this.localPid = localPid;
        this.threads = threads;
        this.routes = routes;
        this.localListeners = localListeners;
    }

    /** @throws IOException when the file cannot be read; {@link TomlException} when it is not valid */
    public static TomlAddressPlan load(Path file, int localPid) throws IOException, TomlException {
        return fromToml(TomlParser.parse(Files.readString(file)), localPid);
    }

    public static TomlAddressPlan fromToml(Map<String, Object> toml, int localPid) throws TomlException {
        int threads = DEFAULT_THREADS;
        Object threadValue = toml.get("mpc_num_threads");
        if (threadValue != null) {
            if (!(threadValue instanceof Long n) || n < 1 || n > 65535) {
                throw new TomlException("mpc_num_threads must be a positive integer, not " + threadValue);
            }
            threads = n.intValue();
        }
        Map<String, PartyTarget> routes = new LinkedHashMap<>();
        Map<Integer, List<Integer>> listeners = new TreeMap<>();
        for (Map.Entry<String, Object> server : table(toml, "servers", "").entrySet()) {
            int serverPid = pid(server.getKey());
            Map<String, Object> serverTable = asTable(server.getValue(), "servers." + server.getKey());
            Object ipValue = serverTable.get("ipaddr");
            Map<String, Object> ports = table(serverTable, "ports", "servers." + server.getKey() + ".");
            for (Map.Entry<String, Object> client : ports.entrySet()) {
                int clientPid = pid(client.getKey());
                int base = port(client.getValue(), "servers." + server.getKey() + ".ports." + client.getKey());
                if (base + threads - 1 > 65535) {
                    throw new TomlException("port " + base + " + mpc_num_threads runs past 65535");
                }
                if (serverPid == localPid) {
                    for (int t = 0; t < threads; t++) {
                        listeners.computeIfAbsent(clientPid, k -> new ArrayList<>()).add(base + t);
                    }
                } else if (clientPid == localPid) {
                    if (!(ipValue instanceof String ip) || ip.isBlank()) {
                        throw new TomlException("servers." + server.getKey() + ".ipaddr missing");
                    }
                    String host = normaliseHost(ip);
                    for (int t = 0; t < threads; t++) {
                        PartyTarget target = new PartyTarget(serverPid, base + t);
                        routes.put(key(host, base + t), target);
                        routes.put(key(normaliseHost("127.0.0.1"), base + t), target);
                        routes.put(key(normaliseHost("::1"), base + t), target);
                    }
                }
            }
        }
        return new TomlAddressPlan(localPid, threads, Collections.unmodifiableMap(routes),
                Collections.unmodifiableMap(listeners));
    }

    @Override
    public Optional<PartyTarget> route(String host, int port) {
        if (host == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(routes.get(key(normaliseHost(host), port)));
    }

    public int threads() {
        return threads;
    }

    /** Client pid -> the local ports our MPC tool listens on for that client (this party as server). */
    public Map<Integer, List<Integer>> localListeners() {
        return localListeners;
    }

    /** Server pid -> the ports this party dials on it (this party as client). */
    public Map<Integer, List<Integer>> remoteServers() {
        Map<Integer, List<Integer>> servers = new TreeMap<>();
        routes.values().stream().distinct().forEach(t ->
                servers.computeIfAbsent(t.party(), k -> new ArrayList<>()).add(t.port()));
        servers.values().forEach(Collections::sort);
        return servers;
    }

    @Override
    public String toString() {
        return "toml pid=" + localPid + " threads=" + threads + " dials=" + remoteServers() + " listens=" + localListeners;
    }

    /**
     * IP literals in one spelling ({@code [::1]}, {@code 0:0::1} and {@code ::1} agree);
     * {@code localhost} is loopback; any other name stays as written, lower-cased.
     */
    static String normaliseHost(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return "127.0.0.1";
        }
        return IpLiterals.parse(h).map(InetAddress::getHostAddress).orElse(h);
    }

    private static String key(String normalisedHost, int port) {
        return normalisedHost + "|" + port;
    }

    private static int pid(String partyName) throws TomlException {
        Matcher m = PID_DIGITS.matcher(partyName);
        if (!m.find()) {
            throw new TomlException("cannot read a party id from " + partyName);
        }
        try {
            return Integer.parseInt(m.group());
        } catch (NumberFormatException e) {
            throw new TomlException("party id too large in " + partyName);
        }
    }

    /** Spec section 2: ports are strings ({@code "8020"}); an integer is accepted as well. */
    private static int port(Object value, String where) throws TomlException {
        long port;
        if (value instanceof String s) {
            try {
                port = Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw new TomlException(where + " is not a port: \"" + s + "\"");
            }
        } else if (value instanceof Long n) {
            port = n;
        } else {
            throw new TomlException(where + " is not a port: " + value);
        }
        if (port < 1 || port > 65535) {
            throw new TomlException(where + " is out of range: " + port);
        }
        return (int) port;
    }

    private static Map<String, Object> table(Map<String, Object> parent, String name, String prefix) throws TomlException {
        Object value = parent.get(name);
        return value == null ? Map.of() : asTable(value, prefix + name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asTable(Object value, String where) throws TomlException {
        if (!(value instanceof Map)) {
            throw new TomlException(where + " must be a table");
        }
        return (Map<String, Object>) value;
    }
}
