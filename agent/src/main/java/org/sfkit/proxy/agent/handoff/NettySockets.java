package org.sfkit.proxy.agent.handoff;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Binds a Netty native socket ({@code io.netty.channel.unix.Socket}, original or relocated) through
 * its public {@code bind(SocketAddress)} and {@code localAddress()}, found by reflection because
 * the agent cannot link against whichever copy of Netty the application carries.
 */
final class NettySockets {
    private record Methods(Method bind, Method localAddress) {
    }

    private static final ClassValue<Methods> METHODS = new ClassValue<>() {
        @Override
        protected Methods computeValue(Class<?> type) {
            try {
                return new Methods(type.getMethod("bind", SocketAddress.class), type.getMethod("localAddress"));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("unexpected Netty socket type " + type.getName(), e);
            }
        }
    };

    private NettySockets() {
    }

    static int bindLoopbackIfUnbound(Object socket) throws IOException {
        Methods methods = METHODS.get(socket.getClass());
        try {
            InetSocketAddress local = (InetSocketAddress) methods.localAddress().invoke(socket);
            if (local == null || local.getPort() == 0) {
                methods.bind().invoke(socket, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                local = (InetSocketAddress) methods.localAddress().invoke(socket);
            }
            return local.getPort();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException(e);
        }
    }
}
