package org.sfkit.proxy.socks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sfkit.proxy.socks.SocksRequestTest.outcome;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Method negotiation and RFC 1929 authentication: bytes in, bytes out, outcome. */
class SocksHandshakeTest {
    private static final SocksCredentials ALICE = new SocksCredentials("alice", "s3cret");
    private static final byte[] CONNECT_PARTY_1 = Bytes.of(5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90);
    private static final String CONNECTED = "10.0.0.1:8080";

    static Stream<Arguments> negotiations() {
        return Stream.of(
                Arguments.of("no-auth offered, none configured", null,
                        Bytes.of(5, 1, 0, CONNECT_PARTY_1), "05 00", CONNECTED),
                Arguments.of("no-auth among others (GSSAPI, user/pass, private)", null,
                        Bytes.of(5, 4, 1, 2, 0x80, 0, CONNECT_PARTY_1), "05 00", CONNECTED),
                Arguments.of("only user/pass offered, none configured", null,
                        Bytes.of(5, 1, 2), "05 ff", "close"),
                Arguments.of("no method offered", null, Bytes.of(5, 0), "05 ff", "close"),
                Arguments.of("only GSSAPI offered", null, Bytes.of(5, 1, 1), "05 ff", "close"),
                Arguments.of("credentials configured, client offers only no-auth", ALICE,
                        Bytes.of(5, 1, 0), "05 ff", "close"),
                Arguments.of("user/pass right", ALICE,
                        Bytes.of(5, 2, 0, 2, 1, 5, "alice", 6, "s3cret", CONNECT_PARTY_1), "05 02 01 00", CONNECTED),
                Arguments.of("wrong password", ALICE,
                        Bytes.of(5, 1, 2, 1, 5, "alice", 6, "s3creT", CONNECT_PARTY_1), "05 02 01 01", "close"),
                Arguments.of("wrong username", ALICE,
                        Bytes.of(5, 1, 2, 1, 3, "bob", 6, "s3cret", CONNECT_PARTY_1), "05 02 01 01", "close"),
                Arguments.of("password prefix", ALICE,
                        Bytes.of(5, 1, 2, 1, 5, "alice", 3, "s3c", CONNECT_PARTY_1), "05 02 01 01", "close"),
                Arguments.of("password with extra byte", ALICE,
                        Bytes.of(5, 1, 2, 1, 5, "alice", 7, "s3cret!", CONNECT_PARTY_1), "05 02 01 01", "close"),
                Arguments.of("empty username and password", ALICE,
                        Bytes.of(5, 1, 2, 1, 0, 0, CONNECT_PARTY_1), "05 02 01 01", "close"),
                Arguments.of("sub-negotiation version 5 instead of 1", ALICE,
                        Bytes.of(5, 1, 2, 5, 5, "alice", 6, "s3cret"), "05 02", "close"),
                Arguments.of("truncated credentials", ALICE, Bytes.of(5, 1, 2, 1, 5, "al"), "05 02", "EOF"),
                Arguments.of("SOCKS4 client", null, Bytes.of(4, 1, 0, 80, 10, 0, 0, 1, 0), "", "close"),
                Arguments.of("HTTP client", null, Bytes.of("GET / HTTP/1.1\r\n"), "", "close"),
                Arguments.of("truncated greeting", null, Bytes.of(5, 2, 0), "", "EOF"),
                Arguments.of("negotiated, then bad address type", null,
                        Bytes.of(5, 1, 0, 5, 1, 0, 2), "05 00", "reply ADDRESS_TYPE_NOT_SUPPORTED (0x08)"),
                Arguments.of("negotiated, then truncated request", null,
                        Bytes.of(5, 1, 0, 5, 1, 0, 1, 10), "05 00", "EOF"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negotiations")
    void negotiates(String name, SocksCredentials credentials, byte[] clientBytes, String expectedServerBytes,
            String expectedOutcome) {
        ByteArrayOutputStream serverBytes = new ByteArrayOutputStream();
        String outcome = outcome(() -> {
            SocksRequest r = SocksHandshake.negotiate(new ByteArrayInputStream(clientBytes), serverBytes, credentials);
            return r.host() + ":" + r.port();
        });
        assertThat(Bytes.hex(serverBytes.toByteArray())).isEqualTo(expectedServerBytes);
        assertThat(outcome).isEqualTo(expectedOutcome);
    }

    @Test
    void pipelinedGreetingAndRequestLeaveTheApplicationBytesUnread() throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(Bytes.of(5, 1, 0, CONNECT_PARTY_1, "hello"));
        SocksHandshake.negotiate(in, new ByteArrayOutputStream(), null);
        assertThat(new String(in.readAllBytes())).isEqualTo("hello");
    }

    @Test
    void credentialsCompareBytesAndNeverPrintThePassword() {
        assertThat(ALICE.matches(new UsernamePasswordRequest("alice".getBytes(), "s3cret".getBytes()))).isTrue();
        SocksCredentials unicode = new SocksCredentials("ålice", "pässword");
        assertThat(unicode.matches(new UsernamePasswordRequest(Bytes.hex("c3a56c696365"),
                "pässword".getBytes(UTF_8)))).isTrue();
        assertThat(unicode.matches(new UsernamePasswordRequest(Bytes.hex("e56c696365"), // ISO-8859-1 "ålice"
                "pässword".getBytes(UTF_8)))).isFalse();
        assertThat(ALICE.toString()).doesNotContain("s3cret").contains("alice");
        assertThat(new UsernamePasswordRequest("alice".getBytes(), "s3cret".getBytes()).toString())
                .doesNotContain("s3cret");
    }

    @Test
    void credentialsLongerThanRfc1929AllowsAreRejectedUpFront() {
        assertThatThrownBy(() -> new SocksCredentials("u", "p".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password");
        assertThat(new SocksCredentials("u".repeat(255), "p".repeat(255)).username()).hasSize(255);
    }
}
