package org.sfkit.proxy.agent.handoff;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;

/**
 * Binds a JDK socket's file descriptor through {@code sun.nio.ch.Net} (opened to the agent by
 * {@code BootstrapInjector}). The family-aware {@code bind} matters: a dual-stack (IPv6) socket
 * needs 127.0.0.1 as {@code ::ffff:127.0.0.1}.
 */
final class JdkSockets {
    private static final MethodHandle BIND;
    private static final MethodHandle LOCAL_ADDRESS;

    static {
        try {
            Class<?> net = Class.forName("sun.nio.ch.Net");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
            BIND = lookup.findStatic(net, "bind", MethodType.methodType(void.class,
                    ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class));
            LOCAL_ADDRESS = lookup.findStatic(net, "localAddress",
                    MethodType.methodType(InetSocketAddress.class, FileDescriptor.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private JdkSockets() {
    }

    /** Binds to 127.0.0.1:0 unless the application bound the socket itself; returns the local port. */
    static int bindLoopbackIfUnbound(ProtocolFamily family, FileDescriptor fd) throws IOException {
        try {
            InetSocketAddress local = (InetSocketAddress) LOCAL_ADDRESS.invokeExact(fd);
            if (local.getPort() == 0) {
                BIND.invokeExact(family, fd, InetAddress.getLoopbackAddress(), 0);
                local = (InetSocketAddress) LOCAL_ADDRESS.invokeExact(fd);
            }
            return local.getPort();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}
