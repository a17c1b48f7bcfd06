package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Ports for child processes that must be named before they bind. Bind-then-close races with
 * other processes on the machine; {@link Cluster} retries a start that failed, and this class
 * at least never hands the same port out twice within one test JVM.
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A port free for both TCP and UDP on 127.0.0.1 at the time of asking. */
    public static synchronized int next() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        while (true) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(loopback, 0));
                int port = tcp.getLocalPort();
                if (HANDED_OUT.contains(port)) {
                    continue;
                }
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
                    HANDED_OUT.add(port);
                    return port;
                } catch (IOException udpTaken) {
                    // The same number is busy for UDP: ask the kernel for another.
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
