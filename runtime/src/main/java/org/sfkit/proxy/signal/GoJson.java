package org.sfkit.proxy.signal;

import java.util.List;

/**
 * Writes JSON the way Go's {@code encoding/json} {@code Marshal} does, so that what we send is
 * byte-for-byte what a Go peer would send: struct fields in declaration order, no spaces, and
 * Go's string escaping. Gson cannot be used for writing: it escapes {@code =} and {@code '}
 * (base64 padding in every PEM), which Go leaves alone.
 */
final class GoJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder("{");
    private boolean first = true;

    private GoJson() {
    }

    static GoJson object() {
        return new GoJson();
    }

    GoJson string(String key, String value) {
        key(key);
        quote(value, out);
        return this;
    }

    GoJson number(String key, long value) {
        key(key);
        out.append(value);
        return this;
    }

    GoJson strings(String key, List<String> values) {
        key(key);
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(values.get(i), out);
        }
        out.append(']');
        return this;
    }

    /** Appends an already encoded JSON value. */
    GoJson raw(String key, String json) {
        key(key);
        out.append(json);
        return this;
    }

    String end() {
        return out.append('}').toString();
    }

    private void key(String key) {
        if (!first) {
            out.append(',');
        }
        first = false;
        quote(key, out);
        out.append(':');
    }

    /**
     * Go's {@code appendString} with HTML escaping on (the default of {@code json.Marshal}):
     * {@code < > &} and U+2028/U+2029 as {@code \\uXXXX}, short escapes for {@code \\b \\f \\n \\r
     * \\t} (Go 1.22+; older Go wrote {@code \\u0008}/{@code \\u000c}, both decode the same), other
     * control characters as {@code \\u00xx}, and invalid UTF-16 (a lone surrogate, Go: invalid
     * UTF-8) as U+FFFD.
     */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(c, out);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u")
                .append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
    }
}
