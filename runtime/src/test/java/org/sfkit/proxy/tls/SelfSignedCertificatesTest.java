package org.sfkit.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sfkit.proxy.quic.PinnedTrust;
import org.sfkit.proxy.quic.TlsIdentity;

class SelfSignedCertificatesTest {

    @Test
    void makesAParseableSelfSignedRsaCertificateWithIpSans() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        TlsIdentity id = SelfSignedCertificates.generate(List.of(v4, v6));

        id.certificate().checkValidity();
        id.certificate().verify(id.certificate().getPublicKey()); // self-signed
        assertThat(((RSAPublicKey) id.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(id.certificate().getVersion()).isEqualTo(3);
        assertThat(id.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=sfkit-proxy");
        assertThat(id.certificate().getSubjectAlternativeNames())
                .extracting(l -> (Object) l.get(1))
                .containsExactly("192.0.2.7", "2001:db8:0:0:0:0:0:1");
        assertThat(id.certificate().getExtendedKeyUsage())
                .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");

        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(id.privateKey());
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(id.certificate());
        s.update(new byte[] {1, 2, 3});
        assertThat(s.verify(sig)).as("key matches certificate").isTrue();
    }

    @Test
    void pemRoundTripKeepsCertificateAndKey(@TempDir Path dir) throws Exception {
        TlsIdentity id = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
        Pem.writeIdentity(id, dir.resolve("c.pem"), dir.resolve("k.pem"));
        TlsIdentity back = Pem.readIdentity(dir.resolve("c.pem"), dir.resolve("k.pem"));
        assertThat(back.certificate()).isEqualTo(id.certificate());
        assertThat(back.privateKey().getEncoded()).isEqualTo(id.privateKey().getEncoded());
    }

    @Test
    void pinnedTrustComparesBytesNotNames() throws Exception {
        TlsIdentity a = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
        TlsIdentity b = SelfSignedCertificates.generate(List.of(InetAddress.getLoopbackAddress()));
        PinnedTrust trust = PinnedTrust.of(a.certificate());
        assertThat(trust.trusts(a.certificate())).isTrue();
        assertThat(trust.trusts(b.certificate())).isFalse();
        assertThat(trust.trusts(null)).isFalse();
    }
}
