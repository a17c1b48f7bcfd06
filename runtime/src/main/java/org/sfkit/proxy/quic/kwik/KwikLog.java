package org.sfkit.proxy.quic.kwik;

import java.util.logging.Level;
import java.util.logging.Logger;
import tech.kwik.core.log.NullLogger;

/**
 * kwik's logger, which without one prints errors to stdout (and a server connector without one
 * fails with a NullPointerException). Errors and warnings go to java.util.logging at FINE: kwik
 * reports peer misbehaviour, dropped packets and closed sockets there, which are not our errors;
 * what matters to us surfaces as exceptions from the engine's own calls.
 */
final class KwikLog extends NullLogger {
    private static final Logger LOG = Logger.getLogger("org.sfkit.proxy.quic.kwik.internal");

    private final String context;

    KwikLog(String context) {
        this.context = context;
    }

    @Override
    public void warn(String message) {
        LOG.fine(() -> context + ": " + message);
    }

    @Override
    public void error(String message) {
        LOG.fine(() -> context + ": " + message);
    }

    @Override
    public void error(String message, Throwable error) {
        LOG.log(Level.FINE, error, () -> context + ": " + message);
    }
}
