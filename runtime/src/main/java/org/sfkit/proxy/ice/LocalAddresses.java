package org.sfkit.proxy.ice;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The addresses we offer as host candidates. */
public final class LocalAddresses {
    private LocalAddresses() {
    }

    /**
     * Every IPv4 address of an interface that is up, except loopback and link-local (a peer on
     * another host cannot use those); loopback alone when there is nothing else (a party in a
     * network namespace with only {@code lo} still reaches parties on the same host). IPv4 only:
     * spec section 5.
     */
    public static List<InetAddress> usable() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLinkLocalAddress() && !address.isLoopbackAddress()) {
                    found.add(address);
                }
            }
        }
        return found.isEmpty() ? List.of(InetAddress.getLoopbackAddress()) : List.copyOf(found);
    }
}
