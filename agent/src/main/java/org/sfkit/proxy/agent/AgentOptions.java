package org.sfkit.proxy.agent;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Agent options: {@code -javaagent:sfkit-proxy.jar=key=value;key=value}, each also settable as
 * the environment variable {@code SFKIT_PROXY_<KEY>} (upper case, {@code -} as {@code _}); the
 * option string wins. Unknown keys are an error, so a typo cannot silently leave a default.
 */
public final class AgentOptions {
    /**
     * Test and diagnostic mode: carry 10.0.0.N:p to 127.0.0.1:p on this host instead of a peer.
     */
    public static final String LOOPBACK_DIALER = "loopback-dialer";
    /** Parties the loopback dialer treats as known (comma-separated); others are unknown parties. */
    public static final String LOOPBACK_PARTIES = "loopback-parties";

    private static final Set<String> KEYS = Set.of(LOOPBACK_DIALER, LOOPBACK_PARTIES);
    private static final String ENV_PREFIX = "SFKIT_PROXY_";

    private final Map<String, String> values;

    private AgentOptions(Map<String, String> values) {
        this.values = values;
    }

    public static AgentOptions parse(String optionString, Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS) {
            String fromEnv = environment.get(envName(key));
            if (fromEnv != null) {
                values.put(key, fromEnv);
            }
        }
        if (optionString != null && !optionString.isBlank()) {
            for (String pair : optionString.split(";")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("sfkit-proxy agent option '" + pair + "' is not key=value");
                }
                String key = pair.substring(0, eq).trim();
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown sfkit-proxy agent option '" + key + "'; known: "
                            + new TreeSet<>(KEYS));
                }
                values.put(key, pair.substring(eq + 1).trim());
            }
        }
        return new AgentOptions(values);
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String value(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public boolean flag(String key) {
        String value = values.get(key);
        if (value == null) {
            return false;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("sfkit-proxy agent option " + key + " must be true or false, not '" + value + "'");
    }

    public Set<Integer> intSet(String key, String fallback) {
        return Arrays.stream(value(key, fallback).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(Integer::valueOf)
                .collect(Collectors.toUnmodifiableSet());
    }
}
