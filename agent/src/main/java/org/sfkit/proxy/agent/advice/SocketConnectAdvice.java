package org.sfkit.proxy.agent.advice;

import java.net.SocketAddress;
import java.net.SocketImpl;
import net.bytebuddy.asm.Advice;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;

/**
 * Inlined into {@code java.net.Socket.connect(SocketAddress, int)}, where every constructor and
 * {@code connect} of a {@code java.net.Socket} arrives: for a party address it swaps the socket's
 * {@code impl} field (same name in JDK 17 and 25) for an in-memory pipe before the body connects
 * through it, so the {@code Socket} keeps its own state and checks.
 */
public final class SocketConnectAdvice {
    private SocketConnectAdvice() {
    }

    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) SocketAddress endpoint,
                      @Advice.FieldValue(value = "impl", readOnly = false) SocketImpl impl) {
        SocketImpl chosen = AgentBridge.socketImplFor(impl, endpoint);
        if (chosen != impl) { // write the (volatile) field only when swapping
            impl = chosen;
        }
    }
}
