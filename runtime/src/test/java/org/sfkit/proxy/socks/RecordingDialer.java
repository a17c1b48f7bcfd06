package org.sfkit.proxy.socks;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.testing.SocketStreams;
import org.sfkit.proxy.tunnel.TunnelDialer;

/** A test dialer that records every {@code party:port} asked for, then behaves as told. */
final class RecordingDialer implements TunnelDialer {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final TunnelDialer behaviour;

    RecordingDialer(TunnelDialer behaviour) {
        this.behaviour = behaviour;
    }

    /** Every destination goes to the loopback server on {@code port}. */
    static RecordingDialer toLoopback(int port) {
        return new RecordingDialer((party, ignoredPort) -> SocketStreams.connectLoopback(port));
    }

    @Override
    public QuicStream open(int party, int port) throws IOException {
        calls.add(party + ":" + port);
        return behaviour.open(party, port);
    }

    List<String> calls() {
        return List.copyOf(calls);
    }
}
