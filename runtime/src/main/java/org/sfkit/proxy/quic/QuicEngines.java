package org.sfkit.proxy.quic;

/** Chooses the QUIC engine: {@code auto} (Netty where its native library loads, else kwik), {@code netty}, {@code kwik}. */
public final class QuicEngines {
    private QuicEngines() {
    }

    /** @throws IllegalArgumentException for an unknown name or an engine that cannot run here (message says why) */
    public static QuicEngine select(String name) {
        throw new UnsupportedOperationException("not yet");
    }
}
