package org.sfkit.proxy.agent;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.sfkit.proxy.agent.advice.DatagramTargetAdvice;
import org.sfkit.proxy.agent.advice.NetConnectAdvice;
import org.sfkit.proxy.agent.advice.NettySocketConnectAdvice;
import org.sfkit.proxy.agent.advice.SocketConnectAdvice;

/**
 * Installs the advice: {@code java.net.Socket.connect} (in-memory pipes), every JDK TCP connect
 * ({@code sun.nio.ch.Net.connect}, loopback hand-off), Netty's native
 * connect (original and relocated copies), and UDP targets in {@code DatagramChannelImpl}.
 * The advice names only {@code java.base} and bootstrap types, so {@link Advice#to(Class)} is safe.
 */
final class ConnectInterception {
    static final String NET = "sun.nio.ch.Net";
    private static final String SOCKET = "java.net.Socket";
    private static final String DATAGRAM_CHANNEL = "sun.nio.ch.DatagramChannelImpl";
    /**
     * The application's Netty, spelled so that the shade plugin's relocation of {@code io.netty}
     * (meant for our own copy) leaves this name alone.
     */
    private static final String NETTY_SOCKET = String.join(".", "io", "netty", "channel", "unix", "Socket");

    private ConnectInterception() {
    }

    /**
     * @throws IllegalStateException unless {@code sun.nio.ch.Net} was verifiably transformed: the
     *     agent must not declare itself ready while JDK connects to 10.0.0.x would reach the kernel
     */
    static void install(java.lang.instrument.Instrumentation instrumentation) throws ClassNotFoundException {
        Class.forName(NET); // load them now, so the retransformation below covers them and can be verified
        Class.forName(SOCKET);
        Map<String, Throwable> errors = new ConcurrentHashMap<>();
        Map<String, Boolean> transformed = new ConcurrentHashMap<>();
        AgentBuilder.Listener listener = new AgentBuilder.Listener.Adapter() {
            @Override
            public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                         DynamicType dynamicType) {
                transformed.put(type.getName(), Boolean.TRUE);
            }

            @Override
            public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
                errors.put(typeName, error);
                // Lazily: java.util.logging costs start-up time on the path where all goes well.
                Logger.getLogger(ConnectInterception.class.getName()).log(Level.SEVERE,
                        "sfkit-proxy agent could not instrument " + typeName
                                + "; its connects to 10.0.0.x are not carried", error);
            }
        };

        // Nexus self-injection is not needed (no initializers, no class format changes) and its
        // set-up touches sun.misc.Unsafe, which warns on JDK 24+. The shade plugin relocates this
        // name to our copy's own property, so the application's byte-buddy is unaffected.
        System.setProperty("net.bytebuddy.nexus.disabled", "true");
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(listener)
                // The default ignores the boot loader, where the JDK classes we need live.
                .ignore(nameStartsWith("org.sfkit.proxy.").or(isSynthetic()))
                .type(named(NET))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(NetConnectAdvice.class)
                        .on(named("connect").and(takesArguments(4))
                                .and(takesArgument(0, ProtocolFamily.class))
                                .and(takesArgument(1, FileDescriptor.class))
                                .and(takesArgument(2, InetAddress.class))
                                .and(takesArgument(3, int.class)))))
                .type(named(SOCKET))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(SocketConnectAdvice.class)
                        .on(named("connect").and(takesArguments(2))
                                .and(takesArgument(0, SocketAddress.class))
                                .and(takesArgument(1, int.class)))))
                .type(named(DATAGRAM_CHANNEL))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(DatagramTargetAdvice.OnConnect.class)
                                .on(named("connect").and(takesArguments(2)).and(takesArgument(0, SocketAddress.class))))
                        .visit(Advice.to(DatagramTargetAdvice.OnSend.class)
                                .on(named("send").and(takesArguments(3))
                                        .and(takesArgument(0, FileDescriptor.class))
                                        .and(takesArgument(1, ByteBuffer.class))
                                        .and(takesArgument(2, InetSocketAddress.class)))))
                // Relocated copies (e.g. gRPC's io.grpc.netty.shaded.io.netty) connect the same way.
                .type(named(NETTY_SOCKET).or(nameEndsWith("." + NETTY_SOCKET)))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(NettySocketConnectAdvice.class)
                        .on(named("connect").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class)))))
                .installOn(instrumentation);

        // Socket is not required: without its advice, Socket connects take the hand-off instead.
        if (!transformed.containsKey(NET)) {
            throw new IllegalStateException("sfkit-proxy agent could not instrument " + NET
                    + (errors.containsKey(NET) ? ": " + errors.get(NET) : ""), errors.get(NET));
        }
    }
}
