package org.sfkit.proxy.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.sfkit.proxy.quic.TlsIdentity;

/**
 * Makes the per-session certificate of spec section 6: self-signed, RSA-2048, SHA-256 with RSA,
 * the party's IP addresses as subjectAltNames (the Go client checks the server's IP SANs against
 * the address it dialled). The Go peer leaves the subject empty; the JDK refuses to parse a
 * certificate with an empty issuer, so ours are named {@code CN=sfkit-proxy}.
 */
public final class SelfSignedCertificates {
    /** RSA-2048 as the Go peer makes; Go FIPS builds accept it (spec section 6). */
    private static final int RSA_BITS = 2048;
    /**
     * The Go peer uses 24 h and its certificates then expire under long studies (spec section 9).
     * Pinning makes expiry meaningless between our peers; 30 days covers any study run while a
     * Go peer that does check dates still sees a valid window.
     */
    static final Duration VALIDITY = Duration.ofDays(30);
    /** Back-date against clock skew between sites. */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);

    /** The common name of every certificate we make; identity is the pinned certificate, not a name. */
    public static final String CERTIFICATE_NAME = "sfkit-proxy";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** GeneralName iPAddress, RFC 5280 section 4.2.1.6: {@code [7] IMPLICIT OCTET STRING}. */
    private static final int IP_ADDRESS_TAG = 0x87;
    /** KeyUsage bits digitalSignature (0) and keyEncipherment (2), as the Go peer sets. */
    private static final byte[] KEY_USAGE_BITS = {0x03, 0x02, 0x05, (byte) 0xa0};

    private SelfSignedCertificates() {
    }

    public static TlsIdentity generate(List<InetAddress> ipAddresses) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(RSA_BITS, new SecureRandom());
        KeyPair keys = generator.generateKeyPair();

        byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nullValue());
        byte[] name = Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid(COMMON_NAME),
                Der.tlv(Der.UTF8_STRING, CERTIFICATE_NAME.getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime now = ZonedDateTime.now();
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(2)), // version v3
                Der.integer(new BigInteger(127, new SecureRandom())),
                algorithm,
                name,
                Der.sequence(Der.utcTime(now.minus(CLOCK_SKEW)), Der.utcTime(now.plus(VALIDITY))),
                name,
                keys.getPublic().getEncoded(),
                Der.explicit(3, Der.sequence(extensions(ipAddresses))));

        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        return new TlsIdentity(certificate, keys.getPrivate());
    }

    private static byte[][] extensions(List<InetAddress> ipAddresses) {
        List<byte[]> names = new ArrayList<>();
        for (InetAddress ip : ipAddresses) {
            names.add(Der.tlv(IP_ADDRESS_TAG, ip.getAddress()));
        }
        List<byte[]> extensions = new ArrayList<>();
        extensions.add(Der.sequence(Der.oid(KEY_USAGE), Der.bool(true), Der.octetString(KEY_USAGE_BITS)));
        extensions.add(Der.sequence(Der.oid(EXT_KEY_USAGE),
                Der.octetString(Der.sequence(Der.oid(SERVER_AUTH), Der.oid(CLIENT_AUTH)))));
        if (!names.isEmpty()) {
            extensions.add(Der.sequence(Der.oid(SUBJECT_ALT_NAME),
                    Der.octetString(Der.sequence(names.toArray(byte[][]::new)))));
        }
        return extensions.toArray(byte[][]::new);
    }
}
