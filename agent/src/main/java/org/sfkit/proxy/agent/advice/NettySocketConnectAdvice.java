package org.sfkit.proxy.agent.advice;

import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;

/**
 * Inlined into Netty's native {@code io.netty.channel.unix.Socket.connect(SocketAddress)} (epoll
 * and kqueue connect there, bypassing {@code sun.nio.ch}). Names no Netty type, so it applies to
 * relocated copies of Netty as well.
 */
public final class NettySocketConnectAdvice {
    private NettySocketConnectAdvice() {
    }

    @Advice.OnMethodEnter
    static void enter(@Advice.This Object socket,
                      @Advice.Argument(value = 0, readOnly = false) SocketAddress remote) throws java.io.IOException {
        remote = AgentBridge.redirectNetty(socket, remote);
    }
}
