package org.sfkit.proxy.logging;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in log text (spec section 1: "ICE passwords are masked"). Applied to every line the
 * {@link LogLineFormatter} writes, so a careless {@code log.fine(message)} of a signalling message
 * cannot leak an ICE password, the website auth key or a bearer token.
 */
public final class Secrets {
    /** What a masked value becomes. */
    public static final String MASK = "***";

    /** Each pattern's group 1 is kept, group 2 (the secret) replaced. */
    private static final List<Pattern> PATTERNS = List.of(
            // JSON, also escaped inside a JSON string: "pwd":"..." and \"pwd\":\"...\" (spec section 3 credential)
            Pattern.compile("(\\\\*\"(?:pwd|password|auth-key|authKey|token|access_token)\\\\*\"\\s*:\\s*\\\\*\")([^\"\\\\]*)"),
            // key=value in log lines and SDP-like text: pwd=..., ice-pwd:..., password=...
            Pattern.compile("(?i)(\\b(?:ice-pwd|pwd|password|pass|auth-key|authkey|socks-pass|token)\\s*[=:]\\s*)([^\\s,;\"}]+)"),
            // HTTP Authorization header (spec section 3: the key verbatim or "Bearer <token>")
            Pattern.compile("(?i)(\\bauthorization\\s*[=:]\\s*(?:bearer\\s+)?)([^\\s,;\"}]+)"),
            // credentials in a URL: socks5://user:secret@host
            Pattern.compile("(://[^/\\s:@]+:)([^@\\s/]+)(?=@)"));

    private Secrets() {
    }

    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Pattern pattern : PATTERNS) {
            Matcher m = pattern.matcher(out);
            if (m.find()) {
                out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
            }
        }
        return out;
    }
}
