package org.sfkit.proxy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.QuicConnection;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicListener;
import org.sfkit.proxy.quic.QuicSettings;

/**
 * Path (b): one QUIC connection of one engine on loopback, each benchmark connection a stream of
 * it, served by {@link BenchService#serve} on the listener's side. No proxy layers: the ceiling the
 * proxy path is compared with.
 */
final class RawEngineFixture implements Fixture {
    private final ExecutorService workers = Executors.newCachedThreadPool(Threads.daemon("bench-raw"));
    private final QuicListener listener;
    private final QuicConnection client;

    RawEngineFixture(QuicEngine engine, BenchIdentities ids) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        QuicSettings settings = QuicSettings.defaults();
        QuicListener bound = engine.listen(loopback, ids.server(), PinnedTrust.of(ids.client().certificate()), settings,
                connection -> connection.onPeerStream(stream -> workers.execute(() -> {
                    try (Duplex d = Duplex.of(stream)) {
                        BenchService.serve(d);
                    } catch (IOException e) {
                        // The client aborted (timeout or error); it reports that itself.
                    }
                })));
        try {
            this.client = engine.connect(loopback, bound.localAddress(), ids.client(),
                    PinnedTrust.of(ids.server().certificate()), settings, BenchIdentities.HANDSHAKE_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            bound.close();
            workers.shutdownNow();
            throw e;
        }
        this.listener = bound;
    }

    @Override
    public Duplex connect() throws IOException {
        return Duplex.of(client.openStream());
    }

    @Override
    public void close() {
        client.close();
        listener.close();
        workers.shutdownNow();
    }
}
