package org.sfkit.proxy.node;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.logging.Logger;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.StreamErrorCodes;
import org.sfkit.proxy.tunnel.ClientProof;
import org.sfkit.proxy.tunnel.PortHeader;

/**
 * Server side of a new QUIC connection from one of our own peers: its first stream must be its
 * {@link ClientProof}; only then does the connection count as the party it proved to be.
 */
final class ClientAdmission {
    private static final Logger LOG = Logger.getLogger(ClientAdmission.class.getName());
    /** A client that has not proven its identity by then is dropped. */
    static final Duration PROOF_TIMEOUT = Duration.ofSeconds(10);

    private ClientAdmission() {
    }

    /**
     * @param pinned the certificate pinned for a claimed party id, or {@code null} (rejected)
     * @param admitted gets the proven party id and the connection
     */
    static void admit(QuicConnection connection, IntFunction<X509Certificate> pinned, ScheduledExecutorService timers,
                      Executor workers, BiConsumer<Integer, QuicConnection> admitted) {
        var proofTimer = timers.schedule(connection::close, PROOF_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        AtomicBoolean first = new AtomicBoolean(true);
        connection.onPeerStream(stream -> {
            if (!first.compareAndSet(true, false)) {
                stream.reset(StreamErrorCodes.PROTOCOL_ERROR); // data before the proof
                return;
            }
            workers.execute(() -> {
                try {
                    if (PortHeader.read(stream.input()) != PortHeader.CONTROL) {
                        throw new IOException("first stream is not the client proof");
                    }
                    int pid = ClientProof.verify(stream, pinned);
                    proofTimer.cancel(false);
                    admitted.accept(pid, connection);
                } catch (IOException e) {
                    LOG.warning("rejecting QUIC client remote=" + connection.remoteAddress() + ": " + e.getMessage());
                    stream.reset(StreamErrorCodes.PROTOCOL_ERROR);
                    connection.close();
                }
            });
        });
    }
}
