package org.sfkit.proxy.socks;

import org.sfkit.proxy.tunnel.TunnelDialer;

/** {@link SocksServerTest} with connections accepted on a Netty engine's event loops. */
class SocksServerNettyListenerTest extends SocksServerTest {
    @Override
    TunnelDialer listening(TunnelDialer dialer) {
        return SocksFixtures.onNettyListener(dialer);
    }
}
