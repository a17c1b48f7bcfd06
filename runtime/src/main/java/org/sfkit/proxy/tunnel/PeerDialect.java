package org.sfkit.proxy.tunnel;

import java.util.OptionalInt;

/**
 * What a peer speaks on top of the Go wire protocol (spec sections 6 and 7). Our two extensions
 * are invisible to a Go peer only if we never use them with one: it would read our control stream
 * as a connect to port 0, and never send the connect status byte we would wait for.
 */
public enum PeerDialect {
    /**
     * Another sfkit-proxy JVM: as a QUIC client it proves its key on control stream 0
     * ({@link ClientProof}), and it answers every data stream with a {@link ConnectStatus} byte.
     */
    SFKIT,
    /**
     * The Go sfkit-proxy, or anything speaking only the spec: identity by TLS client certificate
     * alone, and data streams carry the port header then raw bytes.
     */
    GO;

    /** Whether the client proof and the connect status byte are used with this peer. */
    public boolean usesExtensions() {
        return this == SFKIT;
    }

    /**
     * From a signalled certificate payload: only our peers announce the client proof
     * ({@code org.sfkit.proxy.signal.CertificatePayload#clientProof}); a Go peer sends no extension.
     */
    public static PeerDialect fromClientProof(OptionalInt clientProof) {
        return clientProof.isPresent() ? SFKIT : GO;
    }
}
