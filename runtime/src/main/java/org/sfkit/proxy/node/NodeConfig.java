package org.sfkit.proxy.node;

import java.net.InetSocketAddress;
import java.util.Map;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicSettings;
import org.sfkit.proxy.quic.TlsIdentity;

/**
 * What a {@link ProxyNode} needs to run with static peers.
 *
 * @param udpBind where our QUIC server listens for higher-numbered peers (they are the clients);
 *     toward lower-numbered peers we are the client, from an ephemeral port of the same host
 */
public record NodeConfig(int pid, TlsIdentity identity, InetSocketAddress udpBind,
                         Map<Integer, StaticPeer> peers, QuicEngine engine, QuicSettings settings) {
}
