package org.sfkit.proxy.quic.kwik;

import org.sfkit.proxy.quic.QuicEngine;
import org.sfkit.proxy.quic.QuicEngineContract;

class KwikEngineTest extends QuicEngineContract {
    private static final QuicEngine ENGINE = new KwikEngine();

    @Override
    protected QuicEngine engine() {
        return ENGINE;
    }

    @Override
    protected boolean serverVerifiesClientCertificates() {
        return false;
    }
}
