package org.sfkit.proxy.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * {@code Premain-Class} and {@code Agent-Class} of {@code sfkit-proxy.jar}. It puts the bootstrap
 * bridge into the boot loader first and only then loads the rest of the agent: this class must
 * not link against {@code org.sfkit.proxy.agent.bootstrap} (were the application loader to load
 * those classes from the jar before the injection, the instrumented JDK code and the agent would each see their
 * own copy, or the injection would fail with a duplicate-class {@link LinkageError}).
 *
 * <p>Any failure is thrown out of {@code premain}, which stops the JVM: a tool that believes it
 * reaches its peers through the agent must not run with connects to 10.0.0.x left uncaught.
 */
public final class AgentMain {
    private static final String RUNTIME_CLASS = "org.sfkit.proxy.agent.AgentRuntime";

    private AgentMain() {
    }

    public static void premain(String options, Instrumentation instrumentation) {
        start(options, instrumentation);
    }

    public static void agentmain(String options, Instrumentation instrumentation) {
        start(options, instrumentation);
    }

    private static void start(String options, Instrumentation instrumentation) {
        try {
            BootstrapInjector.inject(instrumentation);
            Class.forName(RUNTIME_CLASS)
                    .getDeclaredMethod("start", String.class, Instrumentation.class)
                    .invoke(null, options, instrumentation);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("sfkit-proxy agent failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sfkit-proxy agent failed to start: " + e, e);
        }
    }
}
