package org.sfkit.proxy.agent;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Agent options: {@code -javaagent:sfkit-proxy.jar=key=value;key=value}, with the CLI's flag
 * names as keys; each also settable as the environment variable {@code SFKIT_PROXY_<KEY>} (upper
 * case, {@code -} as {@code _}); the option string wins. Unknown keys are an error, so a typo
 * cannot silently leave a default.
 */
final class AgentOptions {
    private static final String ENV_PREFIX = "SFKIT_PROXY_";

    private AgentOptions() {
    }

    /** The options in effect, environment first, then the option string over it. */
    static Map<String, String> parse(String optionString, Map<String, String> environment, Set<String> known) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : known) {
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
                    throw new IllegalArgumentException("option '" + pair.trim() + "' is not key=value");
                }
                String key = pair.substring(0, eq).trim();
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("unknown option '" + key + "'; known: " + known);
                }
                values.put(key, pair.substring(eq + 1).trim());
            }
        }
        return values;
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
