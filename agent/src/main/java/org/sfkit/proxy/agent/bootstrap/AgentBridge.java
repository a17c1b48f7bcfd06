package org.sfkit.proxy.agent.bootstrap;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only code the instrumented connects call. It is defined into the boot loader at start-up (so the code put
 * into {@code java.base} and into application classes can see it) and holds nothing but a
 * reference to the runtime-side {@link Redirector} and a counter. It must stay free of any type
 * that is not in {@code java.base}: the boot loader cannot see the agent jar.
 */
public final class AgentBridge {
    /** Implemented on the runtime side, registered once the interception is verified. */
    public interface Redirector {
        /**
         * Prepares the hand-off of a kernel connect on {@code fd} to {@code target:port} and returns
         * the address the connect must go to instead.
         */
        InetSocketAddress redirect(ProtocolFamily family, FileDescriptor fd, InetAddress target, int port)
                throws IOException;

        /** The same for a Netty native socket ({@code io.netty.channel.unix.Socket} or a relocation). */
        InetSocketAddress redirect(Object nettySocket, InetSocketAddress target) throws IOException;

        /**
         * An implementation for a {@code java.net.Socket} about to connect to {@code target} that
         * carries the connection in memory, standing in for {@code current}.
         */
        SocketImpl inMemory(SocketImpl current, InetSocketAddress target);
    }

    /**
     * The JDK's own {@code Socket} implementations, which the in-memory one may replace: the
     * default (SOCKS-capable wrapper) and the platform one ({@code new Socket(Proxy.NO_PROXY)}).
     * An application's own {@code SocketImplFactory} is left alone (its connects still reach
     * {@code sun.nio.ch.Net} or fail closed there).
     */
    private static final String SOCKS_SOCKET_IMPL = "java.net.SocksSocketImpl";
    private static final String PLATFORM_SOCKET_IMPL = "sun.nio.ch.NioSocketImpl";

    /** 10.0.0.0/24 as the int an {@link Inet4Address} hashes to (its address, big-endian). */
    private static final int PARTY_NETWORK = 0x0A000000;
    private static final int PARTY_NETMASK = 0xFFFFFF00;

    private static volatile Redirector redirector;
    private static final AtomicLong CARRIED = new AtomicLong();
    private static final AtomicLong CARRIED_IN_MEMORY = new AtomicLong();

    private AgentBridge() {
    }

    public static void install(Redirector installed) {
        redirector = installed;
    }

    /** Connects carried through the tunnel so far (for tests and diagnostics). */
    public static long carriedConnects() {
        return CARRIED.get();
    }

    /**
     * The quick check every connect passes first. {@link Inet4Address#hashCode()} is the address
     * itself, which spares the array copy of {@code getAddress()} on the common path.
     */
    public static boolean isPartyAddress(InetAddress address) {
        if (address instanceof Inet4Address) {
            return (address.hashCode() & PARTY_NETMASK) == PARTY_NETWORK;
        }
        // An IPv4-mapped IPv6 address (::ffff:10.0.0.N) reaches the same host from a dual-stack socket.
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return b[10] == (byte) 0xff && b[11] == (byte) 0xff && b[12] == 10 && b[13] == 0 && b[14] == 0;
        }
        return false;
    }

    /**
     * Called at the entry of {@code sun.nio.ch.Net.connect}, for every JDK TCP connect: where the
     * kernel connect must go. The target itself unless it is a party address; never a party address.
     */
    public static InetSocketAddress connectTarget(ProtocolFamily family, FileDescriptor fd, InetAddress target, int port)
            throws IOException {
        if (!isPartyAddress(target)) {
            return new InetSocketAddress(target, port);
        }
        InetSocketAddress to = ready(target, port).redirect(family, fd, target, port);
        CARRIED.incrementAndGet();
        return to;
    }

    /**
     * Called at the entry of {@code Socket.connect(SocketAddress, int)}: the implementation the
     * socket should connect with, {@code current} unless the target is a party address and an
     * in-memory pipe can stand in. Without a transport, {@code current} stays and its connect
     * fails closed in {@code sun.nio.ch.Net}.
     */
    public static SocketImpl socketImplFor(Socket socket, SocketImpl current, SocketAddress endpoint) {
        if (!(endpoint instanceof InetSocketAddress) || current == null) {
            return current;
        }
        InetAddress address = ((InetSocketAddress) endpoint).getAddress();
        Redirector installed = redirector;
        if (address == null || installed == null || !isPartyAddress(address)) {
            return current;
        }
        // A connect on a connected or closed socket fails in the body; its implementation must stay.
        if (socket.isConnected() || socket.isClosed()) {
            return current;
        }
        String type = current.getClass().getName();
        if (!type.equals(SOCKS_SOCKET_IMPL) && !type.equals(PLATFORM_SOCKET_IMPL)) {
            return current;
        }
        return installed.inMemory(current, (InetSocketAddress) endpoint);
    }

    /** Counts a connect carried in memory (the hand-off paths count in {@link #connectTarget} and {@link #redirectNetty}). */
    public static void countCarriedInMemory() {
        CARRIED.incrementAndGet();
        CARRIED_IN_MEMORY.incrementAndGet();
    }

    /** Of {@link #carriedConnects()}, those carried as in-memory pipes (for tests and diagnostics). */
    public static long carriedInMemory() {
        return CARRIED_IN_MEMORY.get();
    }

    /** Called at the entry of Netty's native {@code Socket.connect(SocketAddress)}: where it must connect. */
    public static SocketAddress redirectNetty(Object nettySocket, SocketAddress requested) throws IOException {
        if (!(requested instanceof InetSocketAddress)) {
            return requested;
        }
        InetSocketAddress target = (InetSocketAddress) requested;
        InetAddress address = target.getAddress();
        if (address == null || !isPartyAddress(address)) {
            return requested;
        }
        InetSocketAddress to = ready(address, target.getPort()).redirect(nettySocket, target);
        CARRIED.incrementAndGet();
        return to;
    }

    /**
     * UDP to a party address cannot be carried (the tunnel is TCP-shaped), and letting it reach the
     * kernel would send packets to 10.0.0.0/24: refuse it.
     */
    public static void refuseDatagramTarget(Object target) throws SocketException {
        InetAddress address = null;
        if (target instanceof InetSocketAddress) {
            address = ((InetSocketAddress) target).getAddress();
        } else if (target instanceof DatagramPacket) {
            address = ((DatagramPacket) target).getAddress();
        }
        if (address != null && isPartyAddress(address)) {
            throw new SocketException("sfkit-proxy agent: UDP to party address " + address.getHostAddress()
                    + " is not supported (only TCP is tunnelled)");
        }
    }

    private static Redirector ready(InetAddress target, int port) throws ConnectException {
        Redirector current = redirector;
        if (current == null) {
            throw new ConnectException("sfkit-proxy agent: not ready (no transport registered), cannot carry connect to "
                    + target.getHostAddress() + ":" + port);
        }
        return current;
    }
}
