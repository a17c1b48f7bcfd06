package org.sfkit.proxy.ice;

import java.net.InetSocketAddress;

/**
 * The pair ICE selected.
 *
 * @param remote where QUIC sends to
 * @param localType our candidate's type ({@code host}, {@code srflx}, {@code relay}, {@code prflx})
 * @param remoteType the peer's candidate's type
 */
public record IcePath(InetSocketAddress remote, String localType, String remoteType) {
    /** The demo's path label: the less direct of the two ends. */
    public String kind() {
        if (localType.equals("relay") || remoteType.equals("relay")) {
            return "relay";
        }
        return localType.equals("host") && remoteType.equals("host") ? "host" : "srflx";
    }
}
