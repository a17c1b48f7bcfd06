package org.sfkit.proxy.auth;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.util.List;

/**
 * {@code Bearer <access token>} from Google application-default credentials, as the Go proxy's
 * {@code google.FindDefaultCredentials(ctx, "openid", "email", "profile")}: the library searches
 * {@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's well-known file, then the metadata server
 * ({@code GCE_METADATA_HOST} overrides its address). Loaded on first use, refreshed when
 * expired.
 */
final class GoogleAccessToken implements AuthorizationHeader {
    static final List<String> SCOPES = List.of("openid", "email", "profile");

    private GoogleCredentials credentials;

    @Override
    public synchronized String value() throws IOException {
        if (credentials == null) {
            try {
                credentials = GoogleCredentials.getApplicationDefault().createScoped(SCOPES);
            } catch (IOException e) {
                throw new IOException("no auth key (-auth-key or $SFKIT_DIR/" + AuthKeyFile.FILE_NAME
                        + ") and no Google application-default credentials: " + e.getMessage(), e);
            }
        }
        credentials.refreshIfExpired();
        AccessToken token = credentials.getAccessToken();
        if (token == null) {
            throw new IOException("Google credentials returned no access token");
        }
        return "Bearer " + token.getTokenValue();
    }
}
