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
