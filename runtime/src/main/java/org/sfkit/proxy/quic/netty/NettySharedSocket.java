package org.sfkit.proxy.quic.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.SharedUdpSocket;
import org.sfkit.proxy.quic.TlsIdentity;

/**
 * A UDP channel whose pipeline starts with a {@link ForeignDatagramHandler}; the QUIC codec is
 * added behind it by {@link #listen} or {@link #connect}. Raw datagrams written to the channel pass
 * the QUIC codec unchanged (field notes).
 */
final class NettySharedSocket implements SharedUdpSocket {
    private final NettyQuicEngine engine;
    private final Channel udp;

    NettySharedSocket(NettyQuicEngine engine, Channel udp) {
        this.engine = engine;
        this.udp = udp;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) udp.localAddress();
    }

    @Override
    public void sendRaw(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        if (!udp.isActive()) {
            throw new IOException("shared UDP socket " + udp.localAddress() + " is closed");
        }
        udp.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(datagram), to));
    }

    @Override
    public QuicListener listen(TlsIdentity identity, PinnedTrust trustedClients, QuicSettings settings,
                               Consumer<QuicConnection> onConnection) {
        return engine.serve(udp, identity, trustedClients, settings, onConnection);
    }

    @Override
    public QuicConnection connect(InetSocketAddress remote, TlsIdentity identity, PinnedTrust trustedServer,
                                  QuicSettings settings, Duration timeout) throws IOException {
        return engine.dial(udp, remote, identity, trustedServer, settings, timeout);
    }

    @Override
    public void close() {
        udp.close().syncUninterruptibly();
    }
}
