package org.sfkit.proxy.agent.advice;

import net.bytebuddy.asm.Advice;
import org.sfkit.proxy.agent.bootstrap.AgentBridge;

/**
 * Refuses UDP towards a party address in {@code sun.nio.ch.DatagramChannelImpl}, which also serves
 * {@code DatagramSocket} since JDK 15. Two entry points, one per place the target appears as an
 * argument: {@code connect(SocketAddress, boolean)} and the private
 * {@code send(FileDescriptor, ByteBuffer, InetSocketAddress)} every send reaches.
 */
public final class DatagramTargetAdvice {
    private DatagramTargetAdvice() {
    }

    /** On {@code connect(SocketAddress, boolean)}. */
    public static final class OnConnect {
        private OnConnect() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object target) throws java.net.SocketException {
            AgentBridge.refuseDatagramTarget(target);
        }
    }

    /** On {@code send(FileDescriptor, ByteBuffer, InetSocketAddress)}. */
    public static final class OnSend {
        private OnSend() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(2) Object target) throws java.net.SocketException {
            AgentBridge.refuseDatagramTarget(target);
        }
    }
}
