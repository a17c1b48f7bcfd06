package org.sfkit.proxy.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PayloadTest {

    @Test
    void generatedCredentialsAreLettersOfPionLengthsAndDiffer() {
        Set<IceCredential> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            IceCredential credential = IceCredential.generate();
            assertThat(credential.ufrag()).matches("[a-zA-Z]{16}");
            assertThat(credential.pwd()).matches("[a-zA-Z]{32}");
            seen.add(credential);
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void credentialToStringMasksThePassword() {
        IceCredential credential = IceCredential.generate();
        assertThat(credential.toString()).contains(credential.ufrag()).doesNotContain(credential.pwd());
    }

    @Test
    void credentialParsingIgnoresUnknownKeysAsGoDoes() {
        assertThat(IceCredential.fromJson("{\"pwd\":\"p\",\"x\":[1],\"ufrag\":\"u\"}"))
                .isEqualTo(new IceCredential("u", "p"));
    }

    @Test
    void ourCertificateExtensionRoundTripsAndStaysInsideData() {
        CertificatePayload ours = new CertificatePayload("-----BEGIN CERTIFICATE-----\nAA==\n",
                List.of("1.2.3.4:5"), OptionalInt.of(1));
        String json = ours.toJson();
        assertThat(json).isEqualTo("{\"pem\":\"-----BEGIN CERTIFICATE-----\\nAA==\\n\","
                + "\"addrs\":[\"1.2.3.4:5\"],\"sfkit\":{\"clientProof\":1}}");
        assertThat(CertificatePayload.fromJson(json)).isEqualTo(ours);
        SignalMessage message = new SignalMessage("s", MessageType.CERTIFICATE, json, 0, 1);
        assertThat(SignalMessage.fromJson(message.toJson())).isEqualTo(message);
    }

    @Test
    void aGoNilAddrListReadsAsEmpty() {
        assertThat(CertificatePayload.fromJson("{\"pem\":\"x\",\"addrs\":null}").addrs()).isEmpty();
    }
}
