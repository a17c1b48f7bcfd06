package org.sfkit.proxy.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;

/**
 * One benchmark connection seen as blocking byte streams, whatever carries it (a TCP socket or a
 * raw QUIC stream), so every path runs the same client and server code.
 */
interface Duplex extends Closeable {
    InputStream in();

    OutputStream out();

    /** Half-closes: the far side reads end of stream after every byte written so far. */
    void finishOutput() throws IOException;

    /**
     * After the sink mode byte: sends {@code bytes} of {@code block} repeated, in writes of
     * {@code writeBytes}, then FIN, and returns the sink's trailer (count, CRC-32). Paths that
     * drive their transport without blocking streams override this.
     */
    default long[] sink(byte[] block, long bytes, int writeBytes) throws IOException {
        OutputStream out = out();
        for (long left = bytes; left > 0; ) {
            int offset = (int) ((bytes - left) % block.length);
            int n = (int) Math.min(Math.min(left, writeBytes), block.length - offset);
            out.write(block, offset, n);
            left -= n;
        }
        out.flush();
        finishOutput();
        return BenchService.readSinkTrailer(in());
    }

    /**
     * After the echo mode byte: {@code warmUp} then {@code count} 1-byte round trips (write,
     * flush, read), then FIN; returns the recorded round trips in nanoseconds.
     */
    default long[] pingPong(int warmUp, int count) throws IOException {
        OutputStream out = out();
        InputStream in = in();
        long[] samples = new long[count];
        for (int i = -warmUp; i < count; i++) {
            int ping = i & 0x7f;
            long t0 = System.nanoTime();
            out.write(ping);
            out.flush();
            int pong = in.read();
            long rtt = System.nanoTime() - t0;
            if (pong != ping) {
                throw new IOException("integrity: echo answered " + pong + " to " + ping);
            }
            if (i >= 0) {
                samples[i] = rtt;
            }
        }
        finishOutput();
        if (in.read() != -1) {
            throw new IOException("integrity: echo sent more than it received");
        }
        return samples;
    }

    static Duplex of(Socket socket) throws IOException {
        socket.setTcpNoDelay(true); // the ping-pong case writes single bytes
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        return new Duplex() {
            @Override public InputStream in() { return in; }
            @Override public OutputStream out() { return out; }
            @Override public void finishOutput() throws IOException { socket.shutdownOutput(); }
            @Override public void close() throws IOException { socket.close(); }
        };
    }

    static Duplex of(QuicStream stream) {
        return new Duplex() {
            private volatile boolean finished;

            @Override public InputStream in() { return stream.input(); }
            @Override public OutputStream out() { return stream.output(); }

            @Override
            public void finishOutput() throws IOException {
                finished = true;
                stream.output().close(); // FIN, QuicStream contract
            }

            /** A stream closed before its FIN was abandoned (error or timeout): reset it so the peer stops too. */
            @Override
            public void close() {
                if (!finished) {
                    stream.reset(StreamErrorCodes.ABORTED);
                }
            }
        };
    }
}
