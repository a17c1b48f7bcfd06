package org.sfkit.proxy.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bootstrap bridge classes into the boot loader without
 * {@code appendToBootstrapClassLoaderSearch} (which turns off CDS for application classes) and
 * without {@code sun.misc.Unsafe} (which warns on JDK 24+): {@code java.base} is asked, through
 * {@link Instrumentation#redefineModule}, to export {@code jdk.internal.misc} to this agent, whose
 * {@code Unsafe.defineClass} accepts the boot loader ({@code null}). The same call opens
 * {@code sun.nio.ch} to the agent, for the hand-off that binds sockets before their connect, and
 * {@code java.net}, for closing the JDK {@code SocketImpl} an in-memory pipe replaces.
 */
final class BootstrapInjector {
    /** Interfaces first: defining a class does not resolve them, but this keeps the order obvious. */
    private static final List<String> BOOTSTRAP_CLASSES = List.of(
            "org.sfkit.proxy.agent.bootstrap.AgentBridge$Redirector",
            "org.sfkit.proxy.agent.bootstrap.AgentBridge");

    private BootstrapInjector() {
    }

    static void inject(Instrumentation instrumentation) throws ReflectiveOperationException {
        Module javaBase = Object.class.getModule();
        Module agent = BootstrapInjector.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(),
                Map.of("jdk.internal.misc", Set.of(agent)),
                Map.of("sun.nio.ch", Set.of(agent), "java.net", Set.of(agent)),
                Set.of(), Map.of());

        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method defineClass = unsafeClass.getMethod("defineClass",
                String.class, byte[].class, int.class, int.class, ClassLoader.class, ProtectionDomain.class);
        Class<?> bridge = null;
        for (String name : BOOTSTRAP_CLASSES) {
            bridge = bootClassOrNull(name);
            if (bridge == null) { // absent unless a second copy of the agent was started
                byte[] bytes = classBytes(name);
                bridge = (Class<?>) defineClass.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
            }
        }
        // Advice inlined into java.base calls the bridge: java.base must read the boot loader's
        // unnamed module. (The JVM adds this edge on retransformation too; we do not rely on it.)
        instrumentation.redefineModule(javaBase, Set.of(bridge.getModule()), Map.of(), Map.of(), Set.of(), Map.of());
    }

    private static Class<?> bootClassOrNull(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static byte[] classBytes(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = BootstrapInjector.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name + " missing from the agent jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }
}
