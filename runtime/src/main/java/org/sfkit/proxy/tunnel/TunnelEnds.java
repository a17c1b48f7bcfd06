package org.sfkit.proxy.tunnel;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.quic.StreamResetException;
import org.sfkit.proxy.quic.TcpSplice;

/** The two ends of a proxied TCP connection: opening a stream, and answering one. */
public final class TunnelEnds {
    private static final Logger LOG = Logger.getLogger(TunnelEnds.class.getName());
    /**
     * The responder connects on its own host, where a listening port answers in microseconds and
     * a refused one at once; 10 s only bounds a port whose backlog is full.
     */
    static final Duration LOCAL_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Spec section 7: streams go to the party's own loopback, never anywhere else. */
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private TunnelEnds() {
    }

    /**
     * Opens a stream to {@code port} on {@code party} over {@code connection}.
     *
     * @param awaitStatus whether the peer answers with a {@link ConnectStatus} (our peers do; a Go
     *     peer does not, and then the stream is returned as soon as the header is written)
     */
    public static QuicStream open(QuicConnection connection, int party, int port, boolean awaitStatus) throws IOException {
        QuicStream stream;
        try {
            stream = connection.openStream();
        } catch (IOException e) {
            throw new TunnelException(TunnelException.Reason.TRANSPORT_ERROR,
                    "cannot open a stream to party " + party + ": " + e.getMessage());
        }
        try {
            PortHeader.write(stream.output(), port);
            if (awaitStatus) {
                ConnectStatus.await(stream.input(), party, port);
            }
            return stream;
        } catch (TunnelException e) {
            stream.reset(StreamErrorCodes.ABORTED); // frees the stream on both sides
            throw e;
        } catch (IOException e) {
            stream.reset(StreamErrorCodes.ABORTED);
            throw new TunnelException(TunnelException.Reason.TRANSPORT_ERROR,
                    "stream to port " + port + " on party " + party + " failed while opening: " + e.getMessage());
        }
    }

    /**
     * Answers a stream a peer opened: reads the port header, connects to {@code 127.0.0.1:port},
     * reports the outcome (where the peer expects it) and bridges. Blocks while connecting: call
     * it on a thread of its own.
     */
    public static void answer(QuicStream stream, int party, boolean sendStatus) {
        int port;
        try {
            port = PortHeader.read(stream.input());
        } catch (StreamResetException e) {
            return; // the opener gave up; nothing to answer
        } catch (IOException e) {
            LOG.log(Level.FINE, () -> "stream from party " + party + " without a port header: " + e.getMessage());
            stream.reset(StreamErrorCodes.PROTOCOL_ERROR);
            return;
        }
        if (port == PortHeader.CONTROL) {
            LOG.warning("party " + party + " sent a control stream on an authenticated connection; resetting it");
            stream.reset(StreamErrorCodes.PROTOCOL_ERROR);
            return;
        }
        String label = "party " + party + " -> :" + port;
        TcpSplice local = stream.nativeTcpSplice().orElseGet(() -> StreamBridge.threadedSplice(stream, label));
        try {
            local.connect(new InetSocketAddress(LOOPBACK, port), LOCAL_CONNECT_TIMEOUT);
        } catch (IOException e) {
            boolean refused = e instanceof ConnectException;
            LOG.info("connect for party " + party + " to local port " + port + " failed: " + e.getMessage());
            if (sendStatus) {
                sendFailure(stream, refused ? ConnectStatus.REFUSED : ConnectStatus.FAILED);
            } else {
                stream.reset(refused ? StreamErrorCodes.CONNECTION_REFUSED : StreamErrorCodes.CONNECT_FAILED);
            }
            return;
        }
        if (sendStatus) {
            try {
                stream.output().write(ConnectStatus.CONNECTED);
            } catch (IOException e) {
                LOG.log(Level.FINE, () -> "party " + party + " went away before the connect status: " + e.getMessage());
                local.abort();
                stream.reset(StreamErrorCodes.ABORTED);
                return;
            }
        }
        LOG.fine(() -> "stream from party " + party + " connected to local port " + port);
        local.start();
    }

    /** Tells the opener why, then ends our side; the opener resets the stream when it has read it. */
    private static void sendFailure(QuicStream stream, int status) {
        try (var out = stream.output()) {
            out.write(status);
        } catch (IOException e) {
            stream.reset(StreamErrorCodes.CONNECT_FAILED);
        }
    }

}
