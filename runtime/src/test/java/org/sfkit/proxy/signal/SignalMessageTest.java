package org.sfkit.proxy.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Messages recorded from Go's {@code encoding/json} (src/test/go/record_signals.go, the Go
 * proxy's structs) must parse and come back byte for byte.
 */
class SignalMessageTest {

    static Stream<String> recorded() throws IOException {
        try (InputStream in = SignalMessageTest.class.getResourceAsStream("go-messages.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList().stream();
        }
    }

    private static List<String> recordedList() throws IOException {
        return recorded().toList();
    }

    @ParameterizedTest
    @MethodSource("recorded")
    void goMessagesRoundTripByteForByte(String line) {
        assertThat(SignalMessage.fromJson(line).toJson()).isEqualTo(line);
    }

    @ParameterizedTest
    @MethodSource("recorded")
    void goPayloadsRoundTripByteForByte(String line) {
        SignalMessage message = SignalMessage.fromJson(line);
        String data = message.data();
        String again = switch (message.type()) {
            case CREDENTIAL -> IceCredential.fromJson(data).toJson();
            case CANDIDATE -> CandidateLine.parse(data).format();
            case CERTIFICATE -> CertificatePayload.fromJson(data).toJson();
            case ERROR -> data;
        };
        assertThat(again).isEqualTo(data);
    }

    @Test
    void recordedMessagesCarryWhatTheGoSideSent() throws IOException {
        List<String> lines = recordedList();
        SignalMessage credential = SignalMessage.fromJson(lines.get(0));
        assertThat(credential.type()).isEqualTo(MessageType.CREDENTIAL);
        assertThat(IceCredential.fromJson(credential.data()))
                .isEqualTo(new IceCredential("aBcDeFgHiJkLmNoP", "qRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuV"));
        CertificatePayload certificate =
                CertificatePayload.fromJson(SignalMessage.fromJson(lines.get(3)).data());
        assertThat(certificate.pem()).startsWith("-----BEGIN CERTIFICATE-----\n")
                .endsWith("-----END CERTIFICATE-----\n");
        assertThat(certificate.addrs()).containsExactly("203.0.113.7:61234", "10.128.0.5:40000");
        assertThat(certificate.clientProof()).isEmpty();
        SignalMessage error = SignalMessage.fromJson(lines.get(4));
        assertThat(error.data()).isEqualTo("Unexpected target id <5> & \"quoted\"\ttab");
        assertThat(error.sourcePID()).isEqualTo(SignalMessage.SERVER_PID);
    }

    @Test
    void serialisedMessagesHaveExactlyTheFiveKeysInGoOrder() {
        String json = new SignalMessage("s", MessageType.CANDIDATE, "x", 3, 4).toJson();
        assertThat(JsonParser.parseString(json).getAsJsonObject().keySet())
                .containsExactlyElementsOf(SignalMessage.KEYS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"studyID\":\"s\",\"type\":\"candidate\",\"data\":\"\",\"sourcePID\":0,\"targetPID\":1,\"x\":1}",
        "{\"studyID\":\"s\",\"type\":\"candidate\",\"data\":\"\",\"sourcePID\":0}",
        "{\"studyID\":\"s\",\"type\":\"offer\",\"data\":\"\",\"sourcePID\":0,\"targetPID\":1}",
        "{\"studyID\":\"s\",\"type\":\"candidate\",\"data\":\"\",\"sourcePID\":0.5,\"targetPID\":1}",
        "{\"studyID\":\"s\",\"type\":\"candidate\",\"data\":7,\"sourcePID\":0,\"targetPID\":1}",
        "[]",
        "not json"
    })
    void malformedMessagesAreRejected(String json) {
        assertThatThrownBy(() -> SignalMessage.fromJson(json))
                .isInstanceOf(MalformedSignalException.class);
    }

    @Test
    void keyOrderAndSpacingOfOtherServersAreAccepted() {
        // Python's json.dumps (the demo server) orders by dataclass field and adds spaces.
        String python = "{\"type\": \"error\", \"data\": \"Missing authentication\", "
                + "\"studyID\": \"\", \"sourcePID\": -1, \"targetPID\": -1}";
        assertThat(SignalMessage.fromJson(python))
                .isEqualTo(SignalMessage.serverError("", "Missing authentication"));
    }

    @Test
    void stringsAreEscapedAsGoDoes() {
        StringBuilder out = new StringBuilder();
        GoJson.quote("a=b'c<d>e&f\u2028g\u0001h\\i\"j\nk\u00e9\ud83d\ude00l\ud800", out);
        assertThat(out.toString()).isEqualTo(
                "\"a=b'c\\u003cd\\u003ee\\u0026f\\u2028g\\u0001h\\\\i\\\"j\\nk\u00e9\ud83d\ude00l\\ufffd\"");
    }
}
