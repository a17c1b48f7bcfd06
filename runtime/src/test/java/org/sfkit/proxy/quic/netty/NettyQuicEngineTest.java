package org.sfkit.proxy.quic.netty;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngineContract;

class NettyQuicEngineTest extends QuicEngineContract {
    private static NettyQuicEngine engine;

    @BeforeAll
    static void startEngine() {
        engine = new NettyQuicEngine();
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    @Override
    protected QuicEngine engine() {
        return engine;
    }

    @Override
    protected boolean serverVerifiesClientCertificates() {
        return true;
    }
}
