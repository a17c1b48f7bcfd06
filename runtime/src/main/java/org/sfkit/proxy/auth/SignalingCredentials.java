package org.sfkit.proxy.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Chooses the {@code Authorization} of the signalling handshake (wire protocol section 4): the
 * {@code -auth-key} value, else the key in {@code $SFKIT_DIR/auth_key.txt}, else a Google
 * application-default access token.
 */
public final class SignalingCredentials {
    private static final Logger LOG = Logger.getLogger(SignalingCredentials.class.getName());

    private SignalingCredentials() {
    }

    /** From the process environment and {@code user.home}. */
    public static AuthorizationHeader resolve(String authKeyFlag) throws IOException {
        return resolve(authKeyFlag, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * @param authKeyFlag the {@code -auth-key} value; null or empty when not given
     * @param env where {@code SFKIT_DIR} is looked up
     * @param home the user's home directory (for the default {@code ~/.config/sfkit})
     */
    public static AuthorizationHeader resolve(String authKeyFlag, Map<String, String> env,
            Path home) throws IOException {
        if (authKeyFlag != null && !authKeyFlag.isEmpty()) {
            LOG.info("Authenticating with the -auth-key value");
            return AuthorizationHeader.key(authKeyFlag);
        }
        Path file = AuthKeyFile.directory(env.get("SFKIT_DIR"), home)
                .resolve(AuthKeyFile.FILE_NAME);
        Optional<String> key = AuthKeyFile.read(file);
        if (key.isPresent()) {
            LOG.info(() -> "Authenticating with the key in " + file);
            return AuthorizationHeader.key(key.get());
        }
        LOG.info("Authenticating with Google application-default credentials");
        return new GoogleAccessToken();
    }
}
