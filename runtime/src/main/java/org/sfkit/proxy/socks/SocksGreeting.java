package org.sfkit.proxy.socks;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's first message (RFC 1928 section 3): {@code VER NMETHODS METHODS...}.
 *
 * @param methods the method codes offered, in the client's order (unknown codes included)
 */
public record SocksGreeting(List<Integer> methods) {
    public SocksGreeting {
        methods = List.copyOf(methods);
    }

    public boolean offers(SocksAuthMethod method) {
        return methods.contains(method.code());
    }

    /**
     * @throws SocksException without a reply when VER is not 5 (a SOCKS4 or non-SOCKS client: RFC
     *     1928 has no message to answer it with)
     */
    public static SocksGreeting read(InputStream in) throws IOException {
        int version = SocksWire.readUnsignedByte(in);
        if (version != SocksWire.VERSION) {
            throw SocksException.closing("greeting has version " + version + ", not 5");
        }
        byte[] codes = SocksWire.readLengthPrefixed(in);
        List<Integer> methods = new ArrayList<>(codes.length);
        for (byte code : codes) {
            methods.add(code & 0xFF);
        }
        return new SocksGreeting(methods);
    }
}
