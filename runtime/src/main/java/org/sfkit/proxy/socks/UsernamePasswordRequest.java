package org.sfkit.proxy.socks;

import java.io.IOException;
import java.io.InputStream;

/**
 * The RFC 1929 (section 2) request: {@code VER ULEN UNAME PLEN PASSWD}. The fields stay bytes:
 * RFC 1929 names no character set, and comparing bytes avoids two encodings decoding alike.
 */
public record UsernamePasswordRequest(byte[] username, byte[] password) {
    /** @throws SocksException without a reply when VER is not 1 */
    public static UsernamePasswordRequest read(InputStream in) throws IOException {
        int version = SocksWire.readUnsignedByte(in);
        if (version != SocksWire.PASSWORD_AUTH_VERSION) {
            throw SocksException.closing("username/password request has version " + version + ", not 1");
        }
        byte[] username = SocksWire.readLengthPrefixed(in);
        byte[] password = SocksWire.readLengthPrefixed(in);
        return new UsernamePasswordRequest(username, password);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "UsernamePasswordRequest[username of " + username.length + " bytes]";
    }
}
