package org.sfkit.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sfkit.proxy.quic.TlsIdentity;

/** PEM (RFC 7468) for certificates and private keys, as signalled and as given with --cert/--key. */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";

    private Pem() {
    }

    public static String certificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static String privateKey(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    public static X509Certificate parseCertificate(String pem) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificateDer(pem)));
    }

    /**
     * The DER bytes of the first certificate, unparsed: for pinning peers whose certificates the
     * JDK refuses (the Go peer's have an empty issuer; docs/findings.md).
     */
    public static byte[] certificateDer(String pem) throws CertificateException {
        Matcher m = find(pem, "CERTIFICATE");
        if (m == null) {
            throw new CertificateException("no PEM CERTIFICATE block found");
        }
        return decode(m);
    }

    /** Reads a PKCS#8 ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}) RSA key. */
    public static PrivateKey parsePrivateKey(String pem) throws GeneralSecurityException {
        Matcher m = find(pem, "PRIVATE KEY");
        byte[] pkcs8;
        if (m != null) {
            pkcs8 = decode(m);
        } else if ((m = find(pem, "RSA PRIVATE KEY")) != null) {
            pkcs8 = Der.sequence(Der.integer(0), Der.sequence(Der.oid(RSA_ENCRYPTION), Der.nullValue()),
                    Der.octetString(decode(m)));
        } else {
            throw new GeneralSecurityException("no PEM PRIVATE KEY or RSA PRIVATE KEY block found");
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    public static TlsIdentity readIdentity(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
        return new TlsIdentity(parseCertificate(Files.readString(certificateFile)),
                parsePrivateKey(Files.readString(keyFile)));
    }

    public static void writeIdentity(TlsIdentity identity, Path certificateFile, Path keyFile) throws IOException {
        Files.writeString(certificateFile, certificate(identity.certificate()));
        Files.writeString(keyFile, privateKey(identity.privateKey()));
    }

    private static Matcher find(String pem, String type) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                return m;
            }
        }
        return null;
    }

    private static byte[] decode(Matcher m) {
        return Base64.getMimeDecoder().decode(m.group(2).getBytes(StandardCharsets.US_ASCII));
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
