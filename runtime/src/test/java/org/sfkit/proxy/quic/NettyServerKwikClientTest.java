package org.sfkit.proxy.quic;

import org.sfkit.proxy.quic.kwik.KwikEngine;

/** Wire interop: a Netty server (which checks client certificates) with a kwik client. */
class NettyServerKwikClientTest extends QuicEngineContract {
    private static final QuicEngine KWIK = new KwikEngine();

    @Override
    protected QuicEngine engine() {
        return QuicEngines.select(QuicEngines.NETTY);
    }

    @Override
    protected QuicEngine clientEngine() {
        return KWIK;
    }

    @Override
    protected boolean serverVerifiesClientCertificates() {
        return true;
    }
}
