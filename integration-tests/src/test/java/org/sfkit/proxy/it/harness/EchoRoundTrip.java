package org.sfkit.proxy.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * One round trip through an {@link EofEchoServer}: random bytes and a FIN out, the echo read to
 * its end, sha256 compared, so both directions and both half-closes are checked at once.
 */
public final class EchoRoundTrip {
    /** Writes of this size, as an MPC tool's buffered sends would be. */
    private static final int CHUNK = 64 << 10;

    private EchoRoundTrip() {
    }

    /** An end of output that may fail: a stream's close, a socket's shutdownOutput. */
    public interface HalfClose {
        void run() throws IOException;
    }

    public static void assertEchoed(OutputStream out, HalfClose fin, InputStream in, int bytes) {
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int at = 0; at < data.length; at += CHUNK) {
                    out.write(data, at, Math.min(CHUNK, data.length - at));
                }
                fin.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Sha256 received = new Sha256();
        try {
            in.transferTo(received);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writer.join();
        assertThat(received.count()).isEqualTo(bytes);
        assertThat(received.hex()).isEqualTo(Sha256.of(data));
    }

    public static void assertEchoed(Socket socket, int bytes) throws IOException {
        assertEchoed(socket.getOutputStream(), socket::shutdownOutput, socket.getInputStream(), bytes);
    }
}
