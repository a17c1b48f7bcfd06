package org.sfkit.proxy.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A minimal STUN server (RFC 8489): answers every Binding request with the sender's address in
 * XOR-MAPPED-ADDRESS. Enough for server-reflexive candidates in the demo and tests, so nothing
 * ever asks a public STUN server. IPv4 only, like the rest of ICE here.
 */
public final class StunBindingResponder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StunBindingResponder.class.getName());
    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;
    private static final int XOR_MAPPED_ADDRESS = 0x0020;
    private static final int FAMILY_IPV4 = 0x01;
    /** Type, length, reserved byte, family, port, IPv4 address. */
    private static final int XOR_MAPPED_IPV4_LENGTH = 8;
    private static final int MAX_REQUEST = 1500;

    private final DatagramSocket socket;

    private StunBindingResponder(DatagramSocket socket) {
        this.socket = socket;
    }

    public static StunBindingResponder start(InetSocketAddress bind) throws IOException {
        StunBindingResponder responder = new StunBindingResponder(new DatagramSocket(bind));
        Thread t = new Thread(responder::serve, "sfkit-stun-" + responder.address().getPort());
        t.setDaemon(true);
        t.start();
        return responder;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buffer = new byte[MAX_REQUEST];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setData(buffer);
                socket.receive(packet);
                ByteBuffer request = ByteBuffer.wrap(buffer, 0, packet.getLength()).slice();
                InetSocketAddress sender = (InetSocketAddress) packet.getSocketAddress();
                if (StunDatagrams.isStun(request) && (request.getShort(0) & 0xFFFF) == BINDING_REQUEST
                        && sender.getAddress() instanceof Inet4Address) {
                    byte[] answer = answer(request, sender);
                    socket.send(new DatagramPacket(answer, answer.length, sender));
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.log(Level.FINE, "STUN responder receive failed", e);
                }
            }
        }
    }

    private static byte[] answer(ByteBuffer request, InetSocketAddress sender) {
        ByteBuffer out = ByteBuffer.allocate(StunDatagrams.HEADER_LENGTH + 4 + XOR_MAPPED_IPV4_LENGTH);
        out.putShort((short) BINDING_SUCCESS);
        out.putShort((short) (4 + XOR_MAPPED_IPV4_LENGTH));
        out.putInt(StunDatagrams.MAGIC_COOKIE);
        out.put(request.array(), request.arrayOffset() + StunDatagrams.TRANSACTION_OFFSET, StunDatagrams.TRANSACTION_LENGTH);
        out.putShort((short) XOR_MAPPED_ADDRESS);
        out.putShort((short) XOR_MAPPED_IPV4_LENGTH);
        out.put((byte) 0);
        out.put((byte) FAMILY_IPV4);
        // RFC 8489 section 14.2: port XOR the cookie's top 16 bits, address XOR the cookie.
        out.putShort((short) (sender.getPort() ^ (StunDatagrams.MAGIC_COOKIE >>> 16)));
        out.putInt(ByteBuffer.wrap(sender.getAddress().getAddress()).getInt() ^ StunDatagrams.MAGIC_COOKIE);
        return out.array();
    }

    @Override
    public void close() {
        socket.close();
    }
}
