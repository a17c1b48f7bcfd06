package org.sfkit.proxy.node;

import java.net.InetSocketAddress;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.sfkit.proxy.tunnel.PeerDialect;

/**
 * A peer known without signalling ({@code --peer N=host:port --peer-cert N=FILE [--go-peer N]}).
 *
 * @param certificate the peer's certificate as DER, pinned byte for byte; kept unparsed because
 *     the JDK refuses a Go peer's certificate (empty issuer, docs/findings.md)
 * @param dialect whether the peer uses our extensions (client proof, connect status)
 */
public record StaticPeer(int pid, InetSocketAddress endpoint, byte[] certificate, PeerDialect dialect) {

    /** One of our own peers, with a certificate the JDK has parsed. */
    public StaticPeer(int pid, InetSocketAddress endpoint, X509Certificate certificate) {
        this(pid, endpoint, encoded(certificate), PeerDialect.SFKIT);
    }

    /** The certificate parsed, to check a {@link org.sfkit.proxy.tunnel.ClientProof}: only our peers send one. */
    X509Certificate parsedCertificate() throws CertificateException {
        return PeerCertificates.parse(certificate);
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }
}
