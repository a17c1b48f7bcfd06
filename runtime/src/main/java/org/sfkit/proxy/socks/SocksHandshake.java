package org.sfkit.proxy.socks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The server side of method negotiation and authentication (RFC 1928 section 3, RFC 1929), up to
 * and including reading the request. Works on plain streams; timing and the reply to the request
 * are the caller's.
 */
final class SocksHandshake {
    private SocksHandshake() {
    }

    /**
     * With no credentials only no-authentication is acceptable (as the Go proxy); with credentials
     * only username/password, so a client cannot skip authentication by offering 0x00.
     *
     * @throws SocksException when the negotiation failed (already answered: {@code 05 FF} or an
     *     RFC 1929 failure status) or the request is to be refused with its reply code
     */
    static SocksRequest negotiate(InputStream in, OutputStream out, SocksCredentials credentialsOrNull)
            throws IOException {
        SocksGreeting greeting = SocksGreeting.read(in);
        SocksAuthMethod required = credentialsOrNull == null
                ? SocksAuthMethod.NO_AUTHENTICATION
                : SocksAuthMethod.USERNAME_PASSWORD;
        if (!greeting.offers(required)) {
            out.write(SocksWire.methodSelection(SocksAuthMethod.NO_ACCEPTABLE_METHODS));
            throw SocksException.closing("client offers methods " + greeting.methods() + ", none is " + required);
        }
        out.write(SocksWire.methodSelection(required));
        if (credentialsOrNull != null) {
            boolean accepted = credentialsOrNull.matches(UsernamePasswordRequest.read(in));
            out.write(SocksWire.passwordAuthStatus(accepted));
            if (!accepted) {
                // RFC 1929 section 2: on failure the server MUST close the connection.
                throw SocksException.closing("username/password rejected");
            }
        }
        return SocksRequest.read(in);
    }
}
