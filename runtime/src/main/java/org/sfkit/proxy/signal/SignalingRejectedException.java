package org.sfkit.proxy.signal;

import java.io.IOException;
import java.net.URI;

/**
 * The signalling server refused the WebSocket handshake with an HTTP status (wire protocol
 * section 3: 401 bad key, 400 unknown study or bad Origin). Fatal: retrying cannot help, the
 * user must fix the configuration; the message says what to fix (the CLI prints it and exits 1).
 */
public class SignalingRejectedException extends IOException {
    private final int statusCode;

    public SignalingRejectedException(URI api, String studyID, int statusCode) {
        super(explain(api, studyID, statusCode));
        this.statusCode = statusCode;
    }

    public int statusCode() {
        return statusCode;
    }

    /** Whether a handshake answered with this status is worth retrying (the server's fault). */
    static boolean isFatal(int statusCode) {
        return statusCode >= 400 && statusCode < 500;
    }

    private static String explain(URI api, String studyID, int statusCode) {
        String prefix = "signalling server " + api + " rejected the connection for study "
                + studyID + " with HTTP " + statusCode + ": ";
        return prefix + switch (statusCode) {
            case 401 -> "the auth key was not accepted; check -auth-key (or the key in"
                    + " $SFKIT_DIR/auth_key.txt, or your Google application-default credentials)";
            case 403 -> "this user may not join the study; check -study and -auth-key";
            case 400 -> "check that -study names an existing study and that -api is the"
                    + " website's signalling URL (the Origin header is derived from it)";
            case 404 -> "no signalling endpoint there; check the -api URL (path /api/ice)";
            default -> "check -api, -study and -auth-key";
        };
    }
}
