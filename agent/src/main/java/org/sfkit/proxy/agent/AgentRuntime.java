package org.sfkit.proxy.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import org.sfkit.proxy.agent.diagnostic.LoopbackDialer;
import org.sfkit.proxy.agent.handoff.LoopbackHandoff;
import org.sfkit.proxy.tunnel.TunnelDialer;

/**
 * The agent after the bootstrap injection (loaded by {@link AgentMain} only then): installs the
 * interception and, once a {@link TunnelDialer} is registered, starts carrying connects. Until a
 * dialer is registered every connect to 10.0.0.x fails with a {@code ConnectException} saying the
 * agent is not ready.
 */
public final class AgentRuntime {
    private static LoopbackHandoff handoff;

    private AgentRuntime() {
    }

    static void start(String optionString, Instrumentation instrumentation) throws IOException, ClassNotFoundException {
        AgentOptions options = AgentOptions.parse(optionString, System.getenv());
        ConnectInterception.install(instrumentation);
        if (options.flag(AgentOptions.LOOPBACK_DIALER)) {
            register(new LoopbackDialer(options.intSet(AgentOptions.LOOPBACK_PARTIES, LoopbackDialer.DEFAULT_PARTIES)));
        }
    }

    /**
     * Makes {@code dialer} carry every intercepted connect from now on (the node's transport in
     * production; {@link LoopbackDialer} in the test mode). A second call replaces the dialer.
     */
    public static synchronized void register(TunnelDialer dialer) throws IOException {
        if (handoff == null) {
            handoff = LoopbackHandoff.start(dialer);
            Runtime.getRuntime().addShutdownHook(new Thread(handoff::close, "sfkit-agent-shutdown"));
        } else {
            handoff.use(dialer);
        }
    }
}
