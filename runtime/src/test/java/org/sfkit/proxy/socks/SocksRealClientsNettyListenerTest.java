package org.sfkit.proxy.socks;

import org.sfkit.proxy.tunnel.TunnelDialer;

/** {@link SocksRealClientsTest} with connections accepted on a Netty engine's event loops. */
class SocksRealClientsNettyListenerTest extends SocksRealClientsTest {
    @Override
    TunnelDialer listening(TunnelDialer dialer) {
        return SocksFixtures.onNettyListener(dialer);
    }
}
