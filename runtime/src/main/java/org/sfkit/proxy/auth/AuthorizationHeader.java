package org.sfkit.proxy.auth;

import java.io.IOException;

/**
 * The value of the {@code Authorization} header of the signalling handshake: the website auth
 * key verbatim, or {@code Bearer <access token>}. Asked again on every (re)connect so a token
 * that expired meanwhile is refreshed.
 */
@FunctionalInterface
public interface AuthorizationHeader {
    String value() throws IOException;

    /** A fixed website auth key, sent verbatim. */
    static AuthorizationHeader key(String authKey) {
        return () -> authKey;
    }
}
