package org.sfkit.proxy.it.natlab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Run inside a lab namespace (a child JVM under {@code ip netns exec}): from one UDP socket, asks
 * the STUN server which address it sees and prints {@code mapped IP:PORT}; then waits for a line
 * on stdin (the test sends unsolicited datagrams to that mapping meanwhile), asks again from the
 * same socket and prints {@code mapped IP:PORT unsolicited N}, N counting the datagrams other
 * than the answer that reached the socket. The second answer travels the same path after them,
 * so anything the router let through has arrived by then.
 */
public final class StunProbe {
    static final String MAPPED = "mapped ";
    static final String UNSOLICITED = " unsolicited ";

    private StunProbe() {
    }

    /** Arguments: STUN server IP and port. */
    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(0))) {
            StunBinding.Answer first = StunBinding.query(socket, server);
            System.out.println(MAPPED + hostPort(first.mapped()));
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            StunBinding.Answer second = StunBinding.query(socket, server);
            System.out.println(MAPPED + hostPort(second.mapped()) + UNSOLICITED
                    + (first.otherDatagrams() + second.otherDatagrams()));
        }
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
