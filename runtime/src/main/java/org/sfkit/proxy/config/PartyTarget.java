package org.sfkit.proxy.config;

/** Port {@code port} on party {@code party}: where a proxied connection goes. */
public record PartyTarget(int party, int port) {
    public PartyTarget {
        if (party < 0) {
            throw new IllegalArgumentException("party id must be >= 0: " + party);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
