package org.sfkit.proxy.quic;

import java.net.InetSocketAddress;

/** A bound QUIC server. Closing it closes its socket and every connection it accepted. */
public interface QuicListener extends AutoCloseable {
    InetSocketAddress localAddress();

    @Override
    void close();
}
