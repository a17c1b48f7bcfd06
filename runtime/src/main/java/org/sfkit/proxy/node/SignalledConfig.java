package org.sfkit.proxy.node;

import java.net.URI;
import java.util.Set;
import org.sfkit.proxy.auth.AuthorizationHeader;
import org.sfkit.proxy.ice.IceOptions;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicSettings;

/**
 * What a {@link SignalledNode} needs.
 *
 * @param knownPeers the parties we contact first (from the TOML or {@code --parties}); any other
 *     party that signals us is answered too
 */
public record SignalledConfig(int pid, URI api, String studyID, AuthorizationHeader authorization,
                              Set<Integer> knownPeers, IceOptions ice, QuicEngine engine, QuicSettings settings) {
    public SignalledConfig {
        knownPeers = Set.copyOf(knownPeers);
        if (knownPeers.contains(pid)) {
            throw new IllegalArgumentException("party " + pid + " is this proxy itself; it cannot be a peer");
        }
    }
}
