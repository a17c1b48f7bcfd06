package org.sfkit.proxy.quic;

import java.util.logging.Logger;
import org.sfkit.proxy.quic.kwik.KwikEngine;
import org.sfkit.proxy.quic.netty.NettyQuicEngine;

/**
 * Chooses the QUIC engine: {@code netty} (native quiche; about 8x kwik's throughput at a sixth of
 * its CPU, measured here), {@code kwik} (pure Java; runs where no native library can load, e.g. a
 * temp directory that forbids executing code), or {@code auto}: Netty where it loads, else kwik.
 * Both speak the same wire protocol, so parties may choose differently.
 */
public final class QuicEngines {
    private static final Logger LOG = Logger.getLogger(QuicEngines.class.getName());
    public static final String AUTO = "auto";
    public static final String NETTY = "netty";
    public static final String KWIK = "kwik";

    private QuicEngines() {
    }

    /** One Netty engine per JVM: its event loops serve every listener and connection. */
    private static final class SharedNetty {
        static final NettyQuicEngine ENGINE = new NettyQuicEngine();
    }

    /** @throws IllegalArgumentException for an unknown name or an engine that cannot run here (message says why) */
    public static QuicEngine select(String name) {
        switch (name) {
            case NETTY:
                if (!NettyQuicEngine.isAvailable()) {
                    throw new IllegalArgumentException("--quic-engine netty: Netty's native QUIC library does not load here ("
                            + NettyQuicEngine.unavailabilityCause() + "); use --quic-engine kwik or auto");
                }
                return SharedNetty.ENGINE;
            case KWIK:
                return new KwikEngine();
            case AUTO:
                if (NettyQuicEngine.isAvailable()) {
                    LOG.info("QUIC engine netty (native library loaded)");
                    return SharedNetty.ENGINE;
                }
                LOG.warning("QUIC engine kwik: Netty's native QUIC library does not load here ("
                        + NettyQuicEngine.unavailabilityCause() + "); kwik is slower but pure Java");
                return new KwikEngine();
            default:
                throw new IllegalArgumentException("unknown QUIC engine '" + name + "': use auto, netty or kwik");
        }
    }
}
