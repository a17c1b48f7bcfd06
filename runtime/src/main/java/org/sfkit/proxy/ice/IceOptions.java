package org.sfkit.proxy.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * How a party gathers candidates.
 *
 * @param hostAddresses our host candidates' addresses ({@link LocalAddresses#usable()}, or loopback
 *     in tests); the peer socket binds to loopback when all are loopback, else to the wildcard
 * @param stunServers where server-reflexive candidates come from ({@code -stun}); may be empty
 */
public record IceOptions(List<InetAddress> hostAddresses, List<InetSocketAddress> stunServers) {
    public IceOptions {
        hostAddresses = List.copyOf(hostAddresses);
        stunServers = List.copyOf(stunServers);
        if (hostAddresses.isEmpty()) {
            throw new IllegalArgumentException("no host address to gather candidates on");
        }
    }

    /** The address each peer's UDP socket binds to (ephemeral port). */
    InetSocketAddress bindAddress() {
        boolean loopbackOnly = hostAddresses.stream().allMatch(InetAddress::isLoopbackAddress);
        return new InetSocketAddress(loopbackOnly ? hostAddresses.get(0) : anyLocal(), 0);
    }

    private static InetAddress anyLocal() {
        return new InetSocketAddress(0).getAddress();
    }
}
