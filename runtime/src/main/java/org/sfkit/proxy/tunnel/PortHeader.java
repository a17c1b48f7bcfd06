package org.sfkit.proxy.tunnel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The first two bytes of every stream: the destination TCP port, big-endian (spec section 7).
 * Port 0 is never a TCP destination, so it marks our control stream ({@link ClientProof}), which
 * only peers that announced support ever receive.
 */
public final class PortHeader {
    public static final int LENGTH = 2;
    public static final int CONTROL = 0;

    private PortHeader() {
    }

    public static byte[] encode(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return new byte[] {(byte) (port >>> 8), (byte) port};
    }

    public static void write(OutputStream out, int port) throws IOException {
        out.write(encode(port));
    }

    /** @throws EOFException when the stream ends before two bytes arrived */
    public static int read(InputStream in) throws IOException {
        int hi = in.read();
        int lo = hi < 0 ? -1 : in.read();
        if (lo < 0) {
            throw new EOFException("stream ended inside the 2-byte port header");
        }
        return (hi << 8) | lo;
    }
}
