package org.sfkit.proxy.node;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Peer certificates are pinned as DER and parsed only where a public key is needed: to check a
 * {@link org.sfkit.proxy.tunnel.ClientProof}, which only our own peers (whose certificates the JDK
 * reads) send. A Go peer's certificate is never parsed: the JDK refuses its empty issuer.
 */
final class PeerCertificates {
    private PeerCertificates() {
    }

    static X509Certificate parse(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
