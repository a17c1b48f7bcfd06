package org.sfkit.proxy.it.natlab;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A minimal STUN Binding client (RFC 8489), independent of the proxy and of ice4j: enough to ask
 * a STUN server which address and port it sees a socket as, which is what proves a NAT.
 */
final class StunBinding {
    /** RFC 8489 section 5. */
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final short BINDING_REQUEST = 0x0001;
    private static final short BINDING_SUCCESS = 0x0101;
    /** RFC 8489 section 14.2. */
    private static final short XOR_MAPPED_ADDRESS = 0x0020;
    private static final int HEADER_BYTES = 20;
    private static final int TRANSACTION_ID_BYTES = 12;
    private static final byte FAMILY_IPV4 = 0x01;
    /**
     * First retransmission timeout, doubled per attempt (RFC 8489 section 6.2.1). The RFC's
     * 500 ms is for unknown paths; on the lab's veths a reply takes well under a millisecond.
     */
    private static final int FIRST_TIMEOUT_MILLIS = 250;
    /** 250 ms doubling five times waits 7.75 s in all: a STUN server that is up answers long before. */
    private static final int ATTEMPTS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private StunBinding() {
    }

    /**
     * What the server saw ({@code mapped}), and how many other datagrams reached the socket while
     * waiting for its answer (nothing else should: the lab's routers drop unsolicited traffic).
     */
    record Answer(InetSocketAddress mapped, int otherDatagrams) {
    }

    static Answer query(DatagramSocket socket, InetSocketAddress server) throws IOException {
        byte[] transaction = new byte[TRANSACTION_ID_BYTES];
        RANDOM.nextBytes(transaction);
        ByteBuffer request = ByteBuffer.allocate(HEADER_BYTES)
                .putShort(BINDING_REQUEST).putShort((short) 0).putInt(MAGIC_COOKIE).put(transaction);
        byte[] buffer = new byte[1500];
        int others = 0;
        int timeout = FIRST_TIMEOUT_MILLIS;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++, timeout *= 2) {
            socket.send(new DatagramPacket(request.array(), HEADER_BYTES, server));
            long deadline = System.nanoTime() + timeout * 1_000_000L;
            try {
                while (true) {
                    int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                    socket.setSoTimeout(left);
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    InetSocketAddress mapped = mappedAddress(ByteBuffer.wrap(buffer, 0, packet.getLength()), transaction);
                    if (mapped != null) {
                        return new Answer(mapped, others);
                    }
                    others++;
                }
            } catch (SocketTimeoutException e) {
                // retransmit
            }
        }
        throw new IOException("no STUN answer from " + server + " after " + ATTEMPTS + " attempts");
    }

    /** The XOR-MAPPED-ADDRESS of a success response to {@code transaction}, else null. */
    private static InetSocketAddress mappedAddress(ByteBuffer message, byte[] transaction) throws IOException {
        if (message.remaining() < HEADER_BYTES || message.getShort() != BINDING_SUCCESS) {
            return null;
        }
        int length = message.getShort() & 0xffff;
        byte[] id = new byte[TRANSACTION_ID_BYTES];
        if (message.getInt() != MAGIC_COOKIE) {
            return null;
        }
        message.get(id);
        if (!Arrays.equals(id, transaction) || message.remaining() < length) {
            return null;
        }
        while (message.remaining() >= 4) {
            int type = message.getShort() & 0xffff;
            int valueLength = message.getShort() & 0xffff;
            int next = message.position() + ((valueLength + 3) & ~3); // values pad to 4 bytes (section 14)
            if (type == XOR_MAPPED_ADDRESS && valueLength >= 8) {
                message.get(); // reserved
                if (message.get() != FAMILY_IPV4) {
                    throw new IOException("the lab is IPv4 only; got another address family");
                }
                int port = (message.getShort() ^ (MAGIC_COOKIE >>> 16)) & 0xffff;
                byte[] ip = ByteBuffer.allocate(4).putInt(message.getInt() ^ MAGIC_COOKIE).array();
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            message.position(Math.min(next, message.limit()));
        }
        throw new IOException("STUN success response without XOR-MAPPED-ADDRESS");
    }
}
