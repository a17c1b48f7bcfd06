package org.sfkit.proxy.quic;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust exactly the listed certificates, compared byte for byte on their DER encoding. No PKIX
 * path building, no expiry or hostname checks: the peer's certificate came over the authenticated
 * signalling channel (or the operator's files), so identity is the certificate itself
 * (spec section 6).
 *
 * <p>Pins are kept as DER bytes and compared without the JDK's certificate parser: a Go peer's
 * certificate has an empty issuer, which {@code CertificateFactory} refuses ("Empty issuer DN not
 * allowed", docs/findings.md). Netty hands the trust manager {@code LazyX509Certificate}s, whose
 * {@code getEncoded()} returns the received bytes without parsing them, so Go certificates pass.
 */
public final class PinnedTrust {
    private final List<byte[]> pinned;

    public PinnedTrust(List<X509Certificate> certificates) {
        this(certificates.stream().map(PinnedTrust::der));
    }

    private PinnedTrust(Stream<byte[]> encoded) {
        this.pinned = encoded.map(byte[]::clone).toList();
    }

    /** Pins certificates given as DER, e.g. a Go peer's, which the JDK cannot parse. */
    public static PinnedTrust ofEncoded(List<byte[]> certificates) {
        return new PinnedTrust(certificates.stream());
    }

    public static PinnedTrust of(X509Certificate... certificates) {
        return new PinnedTrust(List.of(certificates));
    }

    public boolean trusts(X509Certificate certificate) {
        if (certificate == null) {
            return false;
        }
        return matches(der(certificate));
    }

    private boolean matches(byte[] encoded) {
        for (byte[] p : pinned) {
            if (Arrays.equals(p, encoded)) {
                return true;
            }
        }
        return false;
    }

    /** A trust manager for JSSE-style APIs (kwik, Netty) that accepts only the pinned leaf. */
    public X509ExtendedTrustManager trustManager() {
        return new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length == 0 || !trusts(chain[0])) {
                    throw new CertificateException("peer certificate is not the one pinned for this peer");
                }
            }

            @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException { check(c); }
            @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { check(c); }
            @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { check(c); }
            @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { check(c); }
            @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { check(c); }
            @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { check(c); }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }
}
