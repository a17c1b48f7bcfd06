package org.sfkit.proxy.bench;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import org.sfkit.proxy.quic.TlsIdentity;
import org.sfkit.proxy.tls.SelfSignedCertificates;

/**
 * The two certificates every QUIC fixture uses: made once per run (RSA key generation takes
 * ~0.1-1 s), the server's for party 0 and the client's for party 1.
 */
record BenchIdentities(TlsIdentity server, TlsIdentity client) {
    /** Loopback handshakes take milliseconds; this only bounds a broken engine. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    static BenchIdentities generate() throws GeneralSecurityException {
        List<InetAddress> loopback = List.of(InetAddress.getLoopbackAddress());
        return new BenchIdentities(SelfSignedCertificates.generate(loopback), SelfSignedCertificates.generate(loopback));
    }
}
