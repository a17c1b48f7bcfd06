package org.sfkit.proxy.agent.diagnostic;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.tunnel.TunnelDialer;
import org.sfkit.proxy.tunnel.TunnelException;

/**
 * <b>Test and diagnostic mode only</b> ({@code loopback-dialer=true}): "party N, port p" is
 * 127.0.0.1:p on this host, reached over plain TCP. It lets the agent's interception be proven
 * without peers (inside a network namespace with only {@code lo}); production registers the
 * node's QUIC transport instead.
 */
public final class LoopbackDialer implements TunnelDialer {
    /** sfkit's roles: 0 (CP0), 1 and 2. */
    public static final String DEFAULT_PARTIES = "0,1,2";

    private final Set<Integer> parties;

    public LoopbackDialer(Set<Integer> parties) {
        this.parties = Set.copyOf(parties);
    }

    @Override
    public QuicStream open(int party, int port) throws IOException {
        if (!parties.contains(party)) {
            throw new TunnelException(TunnelException.Reason.UNKNOWN_PARTY,
                    "sfkit-proxy agent (loopback dialer): unknown party " + party);
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setTcpNoDelay(true);
        } catch (ConnectException e) {
            socket.close();
            throw new TunnelException(TunnelException.Reason.CONNECTION_REFUSED,
                    "sfkit-proxy agent (loopback dialer): party " + party + " refused port " + port);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new SocketStream(socket);
    }
}
