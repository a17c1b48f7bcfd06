package org.sfkit.proxy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.sfkit.proxy.config.AddressPlan;
import org.sfkit.proxy.config.PartyTarget;
import org.sfkit.proxy.node.NodeConfig;
import org.sfkit.proxy.node.ProxyNode;
import org.sfkit.proxy.node.StaticPeer;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.socks.SocksServer;

/**
 * Path (c), in one JVM: the client's TCP connection goes to party 1's SOCKS server (JDK SOCKS
 * client, destination {@code 10.0.0.0:port} unresolved, so it is only a label), through party 1's
 * {@link ProxyNode}, QUIC, party 0's node, and TCP to the {@link BenchService} on 127.0.0.1.
 *
 * <p>Each party gets an engine of its own, as in its own process. Sharing one Netty engine put
 * both busy UDP channels on one of its two event loops (each node binds a listener and party 1 a
 * client socket too, and the loops are handed out in turn): one thread at 100 % carried both
 * parties' QUIC and the path measured that placement, not the proxy.
 */
final class ProxyFixture implements Fixture {
    /** Party 1 dials party 0 (the lower pid is the QUIC server); loopback takes milliseconds. */
    private static final Duration PEERS_TIMEOUT = Duration.ofSeconds(20);
    /** The SOCKS connect includes the tunnel's open (far side connected), milliseconds on loopback. */
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** The 10.0.0.N plan, as far as the benchmark uses it: party 0 is the only destination. */
    private static final AddressPlan TWO_PARTIES = (host, port) -> switch (host) {
        case "10.0.0.0" -> Optional.of(new PartyTarget(0, port));
        default -> Optional.empty();
    };

    private final BenchService service;
    private final QuicEngine engine0;
    private final QuicEngine engine1;
    private ProxyNode party0;
    private ProxyNode party1;
    private SocksServer socks;

    ProxyFixture(Supplier<QuicEngine> engines, BenchIdentities ids) throws IOException, InterruptedException {
        engine0 = engines.get();
        engine1 = engines.get();
        service = BenchService.startTcp();
        try {
            InetSocketAddress anyLoopbackPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            // Party 0 never dials party 1 (only the higher pid dials), so party 1's endpoint is unused there.
            party0 = ProxyNode.start(new NodeConfig(0, ids.server(), anyLoopbackPort,
                    Map.of(1, new StaticPeer(1, anyLoopbackPort, ids.client().certificate())), engine0, QuicSettings.defaults()));
            party1 = ProxyNode.start(new NodeConfig(1, ids.client(), anyLoopbackPort,
                    Map.of(0, new StaticPeer(0, party0.quicAddress(), ids.server().certificate())), engine1, QuicSettings.defaults()));
            if (!party1.awaitPeers(PEERS_TIMEOUT) || !party0.awaitPeers(PEERS_TIMEOUT)) {
                throw new IOException("the two proxy nodes did not connect within " + PEERS_TIMEOUT.toSeconds() + " s");
            }
            socks = SocksServer.start(anyLoopbackPort, TWO_PARTIES, party1, null);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public Duplex connect() throws IOException {
        Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, socks.localAddress()));
        try {
            socket.connect(InetSocketAddress.createUnresolved("10.0.0.0", service.port()), CONNECT_TIMEOUT_MILLIS);
            return Duplex.of(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (socks != null) {
            socks.close();
        }
        if (party1 != null) {
            party1.close();
        }
        if (party0 != null) {
            party0.close();
        }
        service.close();
        for (QuicEngine engine : List.of(engine0, engine1)) {
            if (engine instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // its event loops are daemon threads; nothing else to release
                }
            }
        }
    }
}
