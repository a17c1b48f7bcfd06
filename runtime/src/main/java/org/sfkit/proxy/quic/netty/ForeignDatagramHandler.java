package org.sfkit.proxy.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.sfkit.proxy.quic.ForeignDatagrams;

/**
 * First in a shared UDP channel's pipeline, before the QUIC codec: datagrams {@link ForeignDatagrams}
 * claims stop here, the rest pass on untouched.
 */
final class ForeignDatagramHandler extends ChannelInboundHandlerAdapter {
    private final ForeignDatagrams foreign;

    ForeignDatagramHandler(ForeignDatagrams foreign) {
        this.foreign = foreign;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (foreign.claim(content.nioBuffer(content.readerIndex(), content.readableBytes()), packet.sender())) {
                packet.release();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
