package org.sfkit.proxy.quic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One bound UDP socket that QUIC shares with another protocol (spec section 5: ICE's STUN and the
 * peer's QUIC connection use the same socket, so the NAT mapping ICE found is the one QUIC uses).
 * The engine reads it; datagrams its {@link ForeignDatagrams} claims never reach QUIC, the rest do,
 * whole (no truncation). It becomes either a QUIC server ({@link #listen}) or a client
 * ({@link #connect}), once. Closing it closes what runs on it.
 */
public interface SharedUdpSocket extends AutoCloseable {
    InetSocketAddress localAddress();

    /** Sends one datagram beside QUIC, as is (STUN requests and answers). */
    void sendRaw(ByteBuffer datagram, InetSocketAddress to) throws IOException;

    /** Serves QUIC on this socket; see {@link QuicEngine#listen}. */
    QuicListener listen(TlsIdentity identity, PinnedTrust trustedClients, QuicSettings settings,
                        Consumer<QuicConnection> onConnection) throws IOException;

    /** Connects from this socket; see {@link QuicEngine#connect}. A failure closes the socket. */
    QuicConnection connect(InetSocketAddress remote, TlsIdentity identity, PinnedTrust trustedServer,
                           QuicSettings settings, Duration timeout) throws IOException;

    @Override
    void close();
}
