package org.sfkit.proxy.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sfkit.proxy.config.AddressPlan;
import org.sfkit.proxy.node.NodeConfig;
import org.sfkit.proxy.node.PartyNode;
import org.sfkit.proxy.node.ProxyNode;
import org.sfkit.proxy.socks.SocksCredentials;
import org.sfkit.proxy.socks.SocksServer;

/** One party's running proxy: its {@link PartyNode} and the SOCKS server in front of it. */
final class RunningProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunningProxy.class.getName());

    private final PartyNode node;
    private final SocksServer socks;

    private RunningProxy(PartyNode node, SocksServer socks) {
        this.node = node;
        this.socks = socks;
    }

    /** Starts a static-peer node, then the SOCKS server on {@code socksBind}; on failure nothing stays open. */
    static RunningProxy start(NodeConfig config, InetSocketAddress socksBind, AddressPlan plan,
                              SocksCredentials socksCredentials) throws IOException {
        ProxyNode node = ProxyNode.start(config);
        return withSocks(node, "quic=" + hostPort(node.quicAddress()), socksBind, plan, socksCredentials);
    }

    /**
     * Puts the SOCKS server on {@code socksBind} in front of a started {@code node}; on failure
     * the node is closed too. {@code detail} goes into the ready line of the log.
     */
    static RunningProxy withSocks(PartyNode node, String detail, InetSocketAddress socksBind, AddressPlan plan,
                                  SocksCredentials socksCredentials) throws IOException {
        try {
            SocksServer socks = SocksServer.start(socksBind, plan, node, socksCredentials);
            LOG.info(() -> "proxy ready pid=" + node.pid() + " socks=" + hostPort(socks.localAddress())
                    + " " + detail + " engine=" + node.engineName());
            return new RunningProxy(node, socks);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:7080} rather than InetSocketAddress' {@code localhost/127.0.0.1:7080}. */
    static String hostPort(InetSocketAddress address) {
        String ip = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    PartyNode node() {
        return node;
    }

    InetSocketAddress socksAddress() {
        return socks.localAddress();
    }

    @Override
    public void close() {
        // Catch broadly: the SOCKS server's close may declare checked exceptions; the node must close anyway.
        try {
            socks.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the SOCKS server failed", e);
        }
        node.close();
    }
}
