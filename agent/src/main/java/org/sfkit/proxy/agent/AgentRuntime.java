package org.sfkit.proxy.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;
import org.sfkit.proxy.cli.ProxyLauncher;
import org.sfkit.proxy.tunnel.TunnelDialer;

/**
 * The agent after the bootstrap injection (loaded by {@link AgentMain} only then): installs the
 * interception at once, then starts the party's transport from the options on a daemon thread,
 * so the application's start is not held up by certificates, the QUIC engine or peers.
 */
public final class AgentRuntime {
    private static final AgentTransport TRANSPORT = new AgentTransport();

    private AgentRuntime() {
    }

    static void start(String optionString, Instrumentation instrumentation) throws ClassNotFoundException {
        AgentBridge.install(TRANSPORT);
        ConnectInterception.install(instrumentation);
        Thread starter = new Thread(() -> launch(optionString, System.getenv()), "sfkit-agent-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * Never throws: a bad option or a transport that cannot start is said on stderr (the host
     * application runs on) and every connect to 10.0.0.x fails with the same message.
     */
    private static void launch(String optionString, Map<String, String> environment) {
        try {
            ProxyLauncher launcher = ProxyLauncher.start(
                    AgentOptions.parse(optionString, environment, ProxyLauncher.optionNames()));
            Runtime.getRuntime().addShutdownHook(new Thread(launcher::close, "sfkit-agent-shutdown"));
            TRANSPORT.use(launcher.node());
            launcher.socksAddress().ifPresent(socks -> System.err.println("sfkit-proxy agent: SOCKS5 on " + socks));
        } catch (Exception | LinkageError e) {
            System.err.println("sfkit-proxy agent: not started: " + e.getMessage()
                    + " (connects to 10.0.0.x will fail; the application runs on)");
            TRANSPORT.failed(e);
        }
    }

    /** Makes {@code dialer} carry every intercepted connect from now on, replacing the options' transport. */
    public static void register(TunnelDialer dialer) {
        TRANSPORT.use(dialer);
    }
}
