package org.sfkit.proxy.ice;

import org.ice4j.ice.Agent;
import org.sfkit.proxy.signal.IceCredential;

/**
 * An ice4j {@link Agent} whose local credential is the one we signal: ice4j makes its own (base-32
 * digits and letters, not the 16/32 letters the Go peer sends), and every ice4j use of the local
 * credential goes through these two getters.
 */
final class SignalledAgent extends Agent {
    private final IceCredential credential;

    SignalledAgent(IceCredential credential) {
        this.credential = credential;
    }

    @Override
    public String getLocalUfrag() {
        return credential.ufrag();
    }

    @Override
    public String getLocalPassword() {
        return credential.pwd();
    }
}
