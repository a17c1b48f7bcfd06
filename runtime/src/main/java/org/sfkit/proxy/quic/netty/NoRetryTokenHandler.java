package org.sfkit.proxy.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;

/**
 * Turns off Retry (RFC 9000 section 8.1.2): peers are authenticated by pinned certificates and the
 * Go peer does not use it, so the extra round trip buys nothing. Netty's own {@code
 * NoQuicTokenHandler} is package-private, hence this copy of its three answers.
 */
final class NoRetryTokenHandler implements QuicTokenHandler {
    static final NoRetryTokenHandler INSTANCE = new NoRetryTokenHandler();

    private NoRetryTokenHandler() {
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        return false; // never send a Retry
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        return 0; // accept: no token bytes to skip
    }

    @Override
    public int maxTokenLength() {
        return 0;
    }
}
