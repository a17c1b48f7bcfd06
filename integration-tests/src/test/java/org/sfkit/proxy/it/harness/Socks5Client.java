package org.sfkit.proxy.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A byte-exact SOCKS5 client (RFC 1928, no authentication, CONNECT only), to see the reply
 * codes that real clients hide behind an error message.
 */
public final class Socks5Client {
    public static final int SUCCEEDED = 0x00;
    public static final int HOST_UNREACHABLE = 0x04;
    public static final int CONNECTION_REFUSED = 0x05;

    /** RFC 1928 section 5: how the destination is written into the request. */
    public enum AddressType {
        IPV4(0x01), DOMAIN(0x03);

        final int code;

        AddressType(int code) {
            this.code = code;
        }
    }

    /** Read deadline for the proxy's replies; the tunnel's far-side connect must fit in it. */
    private static final int REPLY_TIMEOUT_MILLIS = 30_000;

    private Socks5Client() {
    }

    /** A CONNECT's outcome: the reply code and, when it is {@link #SUCCEEDED}, the open socket. */
    public record Reply(int code, Socket socket) {
    }

    /** Sends CONNECT host:port through the proxy and returns its reply; the caller owns the socket. */
    public static Reply connect(InetSocketAddress proxy, String host, int port, AddressType type)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(proxy, REPLY_TIMEOUT_MILLIS);
            socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            // Greeting: version 5, one method, "no authentication required".
            socket.getOutputStream().write(new byte[] {5, 1, 0});
            byte[] choice = new byte[2];
            in.readFully(choice);
            if (choice[0] != 5 || choice[1] != 0) {
                throw new IOException("proxy refused no-auth: " + choice[0] + "," + choice[1]);
            }
            socket.getOutputStream().write(request(host, port, type));
            int version = in.readUnsignedByte();
            int code = in.readUnsignedByte();
            in.readUnsignedByte(); // reserved
            skipBoundAddress(in);
            if (version != 5) {
                throw new IOException("reply version " + version);
            }
            socket.setSoTimeout(0);
            if (code != SUCCEEDED) {
                socket.close();
                return new Reply(code, null);
            }
            return new Reply(code, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static byte[] request(String host, int port, AddressType type) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(new byte[] {5, 1, 0, (byte) type.code});
        switch (type) {
            case IPV4 -> request.write(InetAddress.getByName(host).getAddress());
            case DOMAIN -> {
                byte[] name = host.getBytes(StandardCharsets.US_ASCII);
                request.write(name.length);
                request.write(name);
            }
        }
        request.write(port >> 8);
        request.write(port & 0xff);
        return request.toByteArray();
    }

    private static void skipBoundAddress(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        int length = switch (type) {
            case 0x01 -> 4;
            case 0x04 -> 16;
            case 0x03 -> in.readUnsignedByte();
            default -> throw new IOException("reply address type " + type);
        };
        in.readFully(new byte[length + 2]);
    }
}
