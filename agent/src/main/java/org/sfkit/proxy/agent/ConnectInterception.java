package org.sfkit.proxy.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Puts one call into the bridge ({@code org.sfkit.proxy.agent.bootstrap.AgentBridge}) at the entry
 * of each connect the agent must see:
 * <ul>
 *   <li>{@code java.net.Socket.connect(SocketAddress, int)}: {@code impl = socketImplFor(this, impl, endpoint)},
 *       the in-memory pipe for a party address;
 *   <li>{@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}, where
 *       every JDK TCP connect passes: the address and port arguments are replaced by
 *       {@code connectTarget(...)}, the hand-off listener for a party address (the JDK stored the
 *       requested address before, so the socket still reports 10.0.0.N:p as remote);
 *   <li>Netty's native {@code io.netty.channel.unix.Socket.connect(SocketAddress)} (epoll and
 *       kqueue bypass {@code sun.nio.ch}; relocated copies too): the address argument likewise;
 *   <li>{@code sun.nio.ch.DatagramChannelImpl} {@code connect} and {@code send}: UDP to a party
 *       address is refused.
 * </ul>
 * Each insertion is straight-line code with no branch (the bridge decides), so the methods' stack
 * map frames stay valid and no class has to be loaded to compute new ones. A plain transformer over
 * byte-buddy's embedded ASM, rather than byte-buddy's agent builder: the builder loaded about a
 * thousand classes and cost most of the agent's start-up time. Nothing is caught around the calls:
 * an exception in the bridge reaches the caller, never the kernel with 10.0.0.x.
 */
final class ConnectInterception implements ClassFileTransformer {
    private static final String BRIDGE = "org/sfkit/proxy/agent/bootstrap/AgentBridge";
    static final String NET = "sun.nio.ch.Net";
    private static final String SOCKET = "java.net.Socket";
    private static final String DATAGRAM_CHANNEL = "sun.nio.ch.DatagramChannelImpl";
    /**
     * The application's Netty, spelled so that the shade plugin's relocation of {@code io.netty}
     * (meant for our own copy) leaves this name alone.
     */
    private static final String NETTY_SOCKET = String.join("/", "io", "netty", "channel", "unix", "Socket");

    /** What to insert at the entry of one method. */
    private interface Prologue {
        void emit(MethodVisitor method, boolean isStatic);
    }

    private record Hook(String method, String descriptorPrefix, Prologue prologue) {
    }

    private static final Map<String, List<Hook>> HOOKS = Map.of(
            internal(NET), List.of(new Hook("connect",
                    "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)", (m, isStatic) -> {
                        int first = isStatic ? 0 : 1;
                        m.visitVarInsn(Opcodes.ALOAD, first);
                        m.visitVarInsn(Opcodes.ALOAD, first + 1);
                        m.visitVarInsn(Opcodes.ALOAD, first + 2);
                        m.visitVarInsn(Opcodes.ILOAD, first + 3);
                        m.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "connectTarget",
                                "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)Ljava/net/InetSocketAddress;",
                                false);
                        m.visitInsn(Opcodes.DUP);
                        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/net/InetSocketAddress", "getAddress",
                                "()Ljava/net/InetAddress;", false);
                        m.visitVarInsn(Opcodes.ASTORE, first + 2);
                        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/net/InetSocketAddress", "getPort", "()I", false);
                        m.visitVarInsn(Opcodes.ISTORE, first + 3);
                    })),
            internal(SOCKET), List.of(new Hook("connect", "(Ljava/net/SocketAddress;I)", (m, isStatic) -> {
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitFieldInsn(Opcodes.GETFIELD, "java/net/Socket", "impl", "Ljava/net/SocketImpl;");
                m.visitVarInsn(Opcodes.ALOAD, 1);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "socketImplFor",
                        "(Ljava/net/Socket;Ljava/net/SocketImpl;Ljava/net/SocketAddress;)Ljava/net/SocketImpl;", false);
                m.visitFieldInsn(Opcodes.PUTFIELD, "java/net/Socket", "impl", "Ljava/net/SocketImpl;");
            })),
            internal(DATAGRAM_CHANNEL), List.of(
                    new Hook("connect", "(Ljava/net/SocketAddress;Z)", refuseDatagramTarget(0)),
                    new Hook("send", "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)",
                            refuseDatagramTarget(2))),
            NETTY_SOCKET, List.of(new Hook("connect", "(Ljava/net/SocketAddress;)", (m, isStatic) -> {
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitVarInsn(Opcodes.ALOAD, 1);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "redirectNetty",
                        "(Ljava/lang/Object;Ljava/net/SocketAddress;)Ljava/net/SocketAddress;", false);
                m.visitVarInsn(Opcodes.ASTORE, 1);
            })));

    private final Set<String> transformed = ConcurrentHashMap.newKeySet();
    private final Map<String, Throwable> errors = new ConcurrentHashMap<>();

    private ConnectInterception() {
    }

    /**
     * @throws IllegalStateException unless {@code sun.nio.ch.Net} was verifiably transformed: the
     *     agent must not declare itself ready while JDK connects to 10.0.0.x would reach the kernel
     */
    static void install(Instrumentation instrumentation) throws ClassNotFoundException {
        ConnectInterception interception = new ConnectInterception();
        instrumentation.addTransformer(interception, true);
        // Loaded without initialising; later-loaded classes (Netty's) are transformed as they load.
        Class<?>[] jdkClasses = {Class.forName(NET, false, null), Class.forName(SOCKET, false, null),
            Class.forName(DATAGRAM_CHANNEL, false, null)};
        try {
            instrumentation.retransformClasses(jdkClasses);
        } catch (UnmodifiableClassException | RuntimeException e) {
            throw new IllegalStateException("sfkit-proxy agent could not instrument the JDK's sockets: " + e, e);
        }
        // Socket is not required: without its hook, Socket connects take the hand-off instead.
        if (!interception.transformed.contains(internal(NET))) {
            Throwable error = interception.errors.get(internal(NET));
            throw new IllegalStateException("sfkit-proxy agent could not instrument " + NET
                    + (error != null ? ": " + error : ""), error);
        }
    }

    private static Prologue refuseDatagramTarget(int argument) {
        return (m, isStatic) -> {
            m.visitVarInsn(Opcodes.ALOAD, (isStatic ? 0 : 1) + argument); // the arguments before it are references
            m.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "refuseDatagramTarget", "(Ljava/lang/Object;)V", false);
        };
    }

    private static String internal(String className) {
        return className.replace('.', '/');
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classfile) {
        if (className == null || className.startsWith("org/sfkit/proxy/")) { // never our own (shaded) Netty
            return null;
        }
        List<Hook> hooks = HOOKS.get(className);
        if (hooks == null && className.endsWith("/" + NETTY_SOCKET)) { // a relocated Netty (gRPC's, ...)
            hooks = HOOKS.get(NETTY_SOCKET);
        }
        if (hooks == null) {
            return null;
        }
        try {
            byte[] rewritten = rewrite(classfile, hooks);
            transformed.add(className);
            return rewritten;
        } catch (RuntimeException | Error e) {
            errors.put(className, e);
            // Lazily: java.util.logging costs start-up time on the path where all goes well.
            Logger.getLogger(ConnectInterception.class.getName()).log(Level.SEVERE,
                    "sfkit-proxy agent could not instrument " + className + "; its connects to 10.0.0.x are not carried", e);
            return null;
        }
    }

    private static byte[] rewrite(byte[] classfile, List<Hook> hooks) {
        ClassReader reader = new ClassReader(classfile);
        // The reader lets unchanged methods be copied as they are; COMPUTE_MAXS for the deeper stack.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                for (Hook hook : hooks) {
                    if (hook.method().equals(name) && descriptor.startsWith(hook.descriptorPrefix())
                            && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0) {
                        boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
                        return new MethodVisitor(Opcodes.ASM9, method) {
                            @Override
                            public void visitCode() {
                                super.visitCode();
                                hook.prologue().emit(mv, isStatic);
                            }
                        };
                    }
                }
                return method;
            }
        }, 0);
        return writer.toByteArray();
    }
}
