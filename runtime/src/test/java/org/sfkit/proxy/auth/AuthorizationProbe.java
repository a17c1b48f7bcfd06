package org.sfkit.proxy.auth;

/**
 * Runs in a child JVM for {@link GoogleMetadataCredentialsTest}: resolves the signalling
 * credentials from that JVM's real environment (the Google library reads {@code System.getenv})
 * and prints the header {@code args[0]} times, one per line; on failure prints
 * {@code ERROR <message>} and exits 3.
 */
public final class AuthorizationProbe {
    private AuthorizationProbe() {
    }

    public static void main(String[] args) {
        try {
            AuthorizationHeader header = SignalingCredentials.resolve("");
            for (int i = 0; i < Integer.parseInt(args[0]); i++) {
                System.out.println(header.value());
            }
        } catch (Exception e) {
            System.out.println("ERROR " + e.getMessage());
            System.exit(3);
        }
    }
}
