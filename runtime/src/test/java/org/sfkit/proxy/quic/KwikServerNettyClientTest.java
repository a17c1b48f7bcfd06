package org.sfkit.proxy.quic;

import org.sfkit.proxy.quic.kwik.KwikEngine;

/** Wire interop: a kwik server with a Netty client (parties may pick different engines). */
class KwikServerNettyClientTest extends QuicEngineContract {
    private static final QuicEngine KWIK = new KwikEngine();

    @Override
    protected QuicEngine engine() {
        return KWIK;
    }

    @Override
    protected QuicEngine clientEngine() {
        return QuicEngines.select(QuicEngines.NETTY);
    }

    @Override
    protected boolean serverVerifiesClientCertificates() {
        return false;
    }

    @Override
    protected boolean clientLearnsResetCodes() {
        return false;
    }
}
