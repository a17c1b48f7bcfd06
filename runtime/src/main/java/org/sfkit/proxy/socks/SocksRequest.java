package org.sfkit.proxy.socks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A SOCKS5 request (RFC 1928 section 4): {@code VER CMD RSV ATYP DST.ADDR DST.PORT}. Parsing is
 * wire format only: BIND and UDP ASSOCIATE parse like CONNECT, and the server decides what it
 * serves.
 *
 * @param host for IPv4 and IPv6 the address literal ({@link InetAddress#getHostAddress()} form;
 *     an IPv4-mapped IPv6 address comes out as its IPv4 literal); for a domain name the name as
 *     sent, never resolved
 */
public record SocksRequest(SocksCommand command, SocksAddressType addressType, String host, int port) {
    private static final int IPV4_BYTES = 4;
    private static final int IPV6_BYTES = 16;

    /**
     * @throws SocksException without a reply for a version other than 5; with
     *     {@link SocksReplyCode#ADDRESS_TYPE_NOT_SUPPORTED} for an unknown ATYP (section 5); with
     *     {@link SocksReplyCode#COMMAND_NOT_SUPPORTED} for an unknown CMD
     * @throws java.io.EOFException when the client closes mid-request
     */
    public static SocksRequest read(InputStream in) throws IOException {
        int version = SocksWire.readUnsignedByte(in);
        if (version != SocksWire.VERSION) {
            throw SocksException.closing("request has version " + version + ", not 5");
        }
        int commandCode = SocksWire.readUnsignedByte(in);
        SocksWire.readUnsignedByte(in); // RSV: ignored, as section 4 reserves it without a rule
        int typeCode = SocksWire.readUnsignedByte(in);
        // Without a known ATYP the address length is unknown: answer before reading further.
        SocksAddressType type = SocksAddressType.of(typeCode).orElseThrow(() -> SocksException.replying(
                SocksReplyCode.ADDRESS_TYPE_NOT_SUPPORTED, String.format("unknown address type 0x%02x", typeCode)));
        String host = switch (type) {
            case IPV4 -> InetAddress.getByAddress(SocksWire.readFully(in, IPV4_BYTES)).getHostAddress();
            case IPV6 -> InetAddress.getByAddress(SocksWire.readFully(in, IPV6_BYTES)).getHostAddress();
            // ISO-8859-1 maps each byte to one char, so no name decodes like another.
            case DOMAIN_NAME -> new String(SocksWire.readLengthPrefixed(in), StandardCharsets.ISO_8859_1);
        };
        int port = SocksWire.readUnsignedByte(in) << 8 | SocksWire.readUnsignedByte(in);
        // The whole request is read before refusing the command, so the reply is not lost to an RST.
        SocksCommand command = SocksCommand.of(commandCode).orElseThrow(() -> SocksException.replying(
                SocksReplyCode.COMMAND_NOT_SUPPORTED, String.format("unknown command 0x%02x", commandCode)));
        return new SocksRequest(command, type, host, port);
    }
}
