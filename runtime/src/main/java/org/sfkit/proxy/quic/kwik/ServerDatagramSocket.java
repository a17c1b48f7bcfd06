package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The socket we give kwik's server connector. kwik 0.10.8 calls {@code System.exit(9)} when the
 * connector's {@code receive()} throws while the connector is open ({@code ServerConnectorImpl}
 * builds its {@code Receiver} with {@code exception -> System.exit(9)}); a transient socket error
 * would kill the whole proxy. So {@link #receive} never throws while this socket is open: it logs
 * and receives again. Once closed it throws as usual; {@link KwikListener} closes the connector
 * (which marks its receiver as closing) before the socket, so kwik then ignores the exception.
 */
final class ServerDatagramSocket extends DatagramSocket {
    private static final Logger LOG = Logger.getLogger(ServerDatagramSocket.class.getName());
    /** Pause after a failed receive so a persistent error cannot spin a core; one RTT-scale tick. */
    private static final long RETRY_PAUSE_MS = 10;

    ServerDatagramSocket(SocketAddress bind) throws SocketException {
        super(bind);
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
        while (true) {
            try {
                super.receive(packet);
                return;
            } catch (SocketTimeoutException e) {
                throw e; // only with a timeout someone set on purpose; kwik sets none
            } catch (IOException e) {
                if (isClosed()) {
                    throw e;
                }
                LOG.log(Level.FINE, "receive failed on open QUIC server socket; receiving again", e);
                try {
                    TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MS);
                } catch (InterruptedException interrupted) {
                    // kwik interrupts its receiver thread only in Receiver.shutdown(), after which it
                    // ignores receive exceptions.
                    Thread.currentThread().interrupt();
                    throw new SocketException("interrupted while receiving");
                }
            }
        }
    }
}
