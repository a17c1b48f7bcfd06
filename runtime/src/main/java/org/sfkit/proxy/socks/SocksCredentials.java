package org.sfkit.proxy.socks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/** The one username/password pair the SOCKS server accepts (RFC 1929). */
public record SocksCredentials(String username, String password) {
    /** RFC 1929 section 2: ULEN and PLEN are one byte each. */
    private static final int MAX_FIELD_BYTES = 255;

    public SocksCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        requireWireLength("username", username);
        requireWireLength("password", password);
    }

    /**
     * Compares in time independent of where the bytes differ, so response timing tells a local
     * attacker nothing about a prefix. Both fields are always compared ({@code &}, not {@code &&}).
     */
    public boolean matches(UsernamePasswordRequest offered) {
        // MessageDigest.isEqual runs in time dependent on its first argument's length only: the
        // offered bytes go first, so timing does not reveal the configured lengths either.
        boolean userMatches = MessageDigest.isEqual(offered.username(), username.getBytes(StandardCharsets.UTF_8));
        boolean passwordMatches = MessageDigest.isEqual(offered.password(), password.getBytes(StandardCharsets.UTF_8));
        return userMatches & passwordMatches;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "SocksCredentials[username=" + username + ", password=***]";
    }

    private static void requireWireLength(String field, String value) {
        int length = value.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException(field + " is " + length + " bytes in UTF-8; RFC 1929 allows " + MAX_FIELD_BYTES);
        }
    }
}
