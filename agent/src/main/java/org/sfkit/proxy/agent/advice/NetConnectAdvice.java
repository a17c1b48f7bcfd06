package org.sfkit.proxy.agent.advice;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import net.bytebuddy.asm.Advice;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;

/**
 * Inlined into {@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)},
 * where every JDK TCP connect passes. A party address is swapped for the agent's loopback listener;
 * the JDK stored the requested address before, so the socket still reports 10.0.0.N:p as remote.
 * No {@code suppress}: an exception here must reach the caller, never the kernel with 10.0.0.x.
 */
public final class NetConnectAdvice {
    private NetConnectAdvice() {
    }

    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) ProtocolFamily family,
                      @Advice.Argument(1) FileDescriptor fd,
                      @Advice.Argument(value = 2, readOnly = false) InetAddress remote,
                      @Advice.Argument(value = 3, readOnly = false) int remotePort) throws java.io.IOException {
        if (AgentBridge.isPartyAddress(remote)) {
            InetSocketAddress to = AgentBridge.redirect(family, fd, remote, remotePort);
            remote = to.getAddress();
            remotePort = to.getPort();
        }
    }
}
