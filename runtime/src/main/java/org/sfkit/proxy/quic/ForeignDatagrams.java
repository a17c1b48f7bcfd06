package org.sfkit.proxy.quic;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Takes the datagrams on a {@link SharedUdpSocket} that are not QUIC (STUN for ICE: spec section
 * 5 puts both on one socket). The engine offers every received datagram here first.
 */
@FunctionalInterface
public interface ForeignDatagrams {
    /** Lets QUIC have every datagram. */
    ForeignDatagrams NONE = (datagram, sender) -> false;

    /**
     * Returns true when the datagram was taken (it then never reaches QUIC). Called on the
     * engine's receive thread: decide from the first bytes, copy what you keep (the buffer is
     * reused after the call), never block.
     */
    boolean claim(ByteBuffer datagram, InetSocketAddress sender);
}
