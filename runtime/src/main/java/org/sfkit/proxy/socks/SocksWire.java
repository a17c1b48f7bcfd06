package org.sfkit.proxy.socks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Byte-level constants, reads and encodings shared by the SOCKS5 messages. */
final class SocksWire {
    /** VER of every RFC 1928 message. */
    static final int VERSION = 0x05;
    /** VER of the RFC 1929 username/password sub-negotiation (section 2). */
    static final int PASSWORD_AUTH_VERSION = 0x01;
    /** RFC 1929 section 2: STATUS 0 is success, any other value failure. */
    private static final int PASSWORD_AUTH_SUCCESS = 0x00;
    private static final int PASSWORD_AUTH_FAILURE = 0x01;

    private SocksWire() {
    }

    /** The method selection message (RFC 1928 section 3): {@code VER METHOD}. */
    static byte[] methodSelection(SocksAuthMethod method) {
        return new byte[] {VERSION, (byte) method.code()};
    }

    /** The RFC 1929 status message: {@code VER STATUS}. */
    static byte[] passwordAuthStatus(boolean success) {
        return new byte[] {PASSWORD_AUTH_VERSION, (byte) (success ? PASSWORD_AUTH_SUCCESS : PASSWORD_AUTH_FAILURE)};
    }

    /**
     * A reply (RFC 1928 section 6) with BND.ADDR 0.0.0.0 and BND.PORT 0, for every code. The
     * bound address is the one the server connected from; a tunnel has none worth telling, and the
     * Go proxy sends exactly these bytes, so clients of either see the same reply.
     */
    static byte[] reply(SocksReplyCode code) {
        return new byte[] {VERSION, (byte) code.code(), 0x00, (byte) SocksAddressType.IPV4.code(), 0, 0, 0, 0, 0, 0};
    }

    static int readUnsignedByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed mid-handshake");
        }
        return b;
    }

    static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("connection closed mid-handshake");
        }
        return bytes;
    }

    /** Reads a one-byte length, then that many bytes (the RFC 1928/1929 length-prefixed fields). */
    static byte[] readLengthPrefixed(InputStream in) throws IOException {
        return readFully(in, readUnsignedByte(in));
    }
}
