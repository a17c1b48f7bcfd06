package org.sfkit.proxy.ice;

import java.nio.ByteBuffer;

/**
 * Tells STUN datagrams from QUIC ones on a shared socket (spec section 5; RFC 8489 section 5).
 * QUIC's first byte always has its top bit (long header) or second bit (fixed bit, short header)
 * set; STUN's top two bits are 0. We also require the magic cookie and a length that matches, so a
 * QUIC packet with a cleared fixed bit (RFC 9287 grease) is never mistaken for STUN.
 */
public final class StunDatagrams {
    /** RFC 8489 section 5: the fixed header. */
    static final int HEADER_LENGTH = 20;
    static final int MAGIC_COOKIE = 0x2112A442;
    /** Transaction ID: bytes 8 to 19. */
    static final int TRANSACTION_OFFSET = 8;
    static final int TRANSACTION_LENGTH = 12;
    /** The class bit that marks success and error responses (C1, RFC 8489 section 5). */
    private static final int RESPONSE_CLASS_BIT = 0x0100;

    private StunDatagrams() {
    }

    /** Whether {@code datagram} (from its position to its limit) is one STUN message. */
    public static boolean isStun(ByteBuffer datagram) {
        int start = datagram.position();
        int length = datagram.remaining();
        if (length < HEADER_LENGTH || (datagram.get(start) & 0xC0) != 0) {
            return false;
        }
        int bodyLength = datagram.getShort(start + 2) & 0xFFFF;
        return datagram.getInt(start + 4) == MAGIC_COOKIE
                && bodyLength % 4 == 0
                && HEADER_LENGTH + bodyLength == length;
    }

    /** For a datagram {@link #isStun} accepted: whether it is a (success or error) response. */
    static boolean isResponse(ByteBuffer stun) {
        return (stun.getShort(stun.position()) & RESPONSE_CLASS_BIT) != 0;
    }

    /** For a datagram {@link #isStun} accepted: its transaction ID, as a map key. */
    static ByteBuffer transactionId(ByteBuffer stun) {
        byte[] id = new byte[TRANSACTION_LENGTH];
        stun.get(stun.position() + TRANSACTION_OFFSET, id);
        return ByteBuffer.wrap(id);
    }
}
