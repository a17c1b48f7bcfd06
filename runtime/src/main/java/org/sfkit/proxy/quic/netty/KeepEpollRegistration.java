package org.sfkit.proxy.quic.netty;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Works around a Netty 4.2.18 epoll bug that breaks half-closed TCP channels. Since netty#16689 an
 * interest set that becomes empty removes the descriptor from epoll ({@code EPOLL_CTL_DEL}) while
 * the registration stays "added", so the next non-empty set is an {@code EPOLL_CTL_MOD} of a
 * descriptor epoll no longer has: ENOENT, and the channel fails. A TCP channel gets there after
 * its peer's FIN with auto-read off (EPOLLIN and EPOLLRDHUP both cleared); the next write that
 * fills the socket buffer asks for EPOLLOUT and dies. That is every half-close we carry: a client
 * that sends its request, shuts down its output and reads a long answer lost the answer.
 *
 * <p>The workaround wraps the epoll handler's registrations: an empty interest set is submitted
 * as EPOLLERR instead, which epoll reports whatever the mask, so nothing is added; the descriptor
 * stays registered and later changes are valid modifications. An EPOLLHUP (both directions shut)
 * then still wakes the loop until the channel closes, as before netty#16689; our channels close
 * as soon as both directions are done.
 */
final class KeepEpollRegistration implements IoHandlerFactory {
    private final IoHandlerFactory epoll;

    KeepEpollRegistration(IoHandlerFactory epoll) {
        this.epoll = epoll;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        IoHandler handler = epoll.newHandler(executor);
        return new IoHandler() {
            @Override
            public void initialize() {
                handler.initialize();
            }

            @Override
            public int run(IoHandlerContext context) {
                return handler.run(context);
            }

            @Override
            public void prepareToDestroy() {
                handler.prepareToDestroy();
            }

            @Override
            public void destroy() {
                handler.destroy();
            }

            @Override
            public IoRegistration register(IoHandle handle) throws Exception {
                return new NeverEmpty(handler.register(handle));
            }

            @Override
            public void wakeup() {
                handler.wakeup();
            }

            @Override
            public boolean isCompatible(Class<? extends IoHandle> handleType) {
                return handler.isCompatible(handleType);
            }
        };
    }

    @Override
    public boolean isChangingThreadSupported() {
        return epoll.isChangingThreadSupported();
    }

    private record NeverEmpty(IoRegistration registration) implements IoRegistration {
        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            boolean empty = ops instanceof EpollIoOps epollOps && epollOps.value() == 0;
            return registration.submit(empty ? EpollIoOps.EPOLLERR : ops);
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
