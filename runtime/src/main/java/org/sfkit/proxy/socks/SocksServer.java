package org.sfkit.proxy.socks;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.sfkit.proxy.config.AddressPlan;
import org.sfkit.proxy.tunnel.TunnelDialer;

// STUB for compilation; replaced by the socks branch
public final class SocksServer implements AutoCloseable {
    private SocksServer() {
    }

    public static SocksServer start(InetSocketAddress bind, AddressPlan plan, TunnelDialer dialer,
                                    SocksCredentials credsOrNull) throws IOException {
        throw new UnsupportedOperationException("STUB: the socks branch provides SocksServer");
    }

    public InetSocketAddress localAddress() {
        throw new UnsupportedOperationException("STUB");
    }

    @Override
    public void close() {
    }
}
