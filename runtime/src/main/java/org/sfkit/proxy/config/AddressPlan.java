package org.sfkit.proxy.config;

import java.util.Optional;

/**
 * Maps a destination an application asked for onto a party and port. The 10.0.0.N plan always
 * applies; with {@code -mpc}, the SF-GWAS TOML plan (spec section 2) applies too.
 */
public interface AddressPlan {
    /**
     * @param host an IP literal or a name, exactly as the application gave it (a SOCKS request may
     *     name 10.0.0.N: it is a label, never dialled)
     * @return the target, or empty when this address is not a party's
     */
    Optional<PartyTarget> route(String host, int port);
}
