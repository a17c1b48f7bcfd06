package org.sfkit.proxy.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32;

/**
 * The far end of every benchmark connection: a sink that counts (and optionally checksums) what
 * it receives, or an echo. The client's first byte picks the mode; the same code serves TCP
 * sockets and raw QUIC streams.
 *
 * <p>Sink modes: read to end of stream, then answer {@link #SINK_TRAILER_BYTES} bytes: the byte
 * count and the CRC-32 (0 when not asked for), and end the stream. Echo: write back every byte as
 * it arrives until end of stream.
 */
final class BenchService implements AutoCloseable {
    static final int MODE_SINK = 'S';
    static final int MODE_SINK_CHECKSUM = 'C';
    static final int MODE_ECHO = 'E';
    static final int SINK_TRAILER_BYTES = 16;
    /** Read buffer: large enough that a loopback TCP read is not limited by it. */
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ServerSocket server;
    private final ExecutorService workers = Executors.newCachedThreadPool(Threads.daemon("bench-service"));
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private BenchService(ServerSocket server) {
        this.server = server;
        workers.execute(this::acceptLoop);
    }

    /** A TCP service on 127.0.0.1 (ephemeral port). */
    static BenchService startTcp() throws IOException {
        return new BenchService(new ServerSocket(0, 64, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return server.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                workers.execute(() -> {
                    try (Duplex d = Duplex.of(socket)) {
                        serve(d);
                    } catch (IOException e) {
                        // The client aborted (timeout or error); it reports that itself.
                    } finally {
                        open.remove(socket);
                    }
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Serves one connection on the calling thread; returns when the client's stream ended. */
    static void serve(Duplex duplex) throws IOException {
        InputStream in = duplex.in();
        int mode = in.read();
        switch (mode) {
            case MODE_SINK, MODE_SINK_CHECKSUM -> sink(in, duplex, mode == MODE_SINK_CHECKSUM);
            case MODE_ECHO -> echo(in, duplex);
            case -1 -> duplex.finishOutput();
            default -> throw new IOException("unknown benchmark mode " + mode);
        }
    }

    private static void sink(InputStream in, Duplex duplex, boolean checksum) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        CRC32 crc = new CRC32();
        long count = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            count += n;
            if (checksum) {
                crc.update(buffer, 0, n);
            }
        }
        DataOutputStream out = new DataOutputStream(duplex.out());
        out.writeLong(count);
        out.writeLong(checksum ? crc.getValue() : 0);
        out.flush();
        duplex.finishOutput();
    }

    private static void echo(InputStream in, Duplex duplex) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        OutputStream out = duplex.out();
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
        duplex.finishOutput();
    }

    /** Client side of the sink: reads the trailer after the client's FIN. */
    static long[] readSinkTrailer(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            return new long[] {data.readLong(), data.readLong()};
        } catch (EOFException e) {
            throw new IOException("stream ended before the sink's byte count arrived", e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
        workers.shutdownNow();
    }
}
