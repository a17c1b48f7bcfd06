package org.sfkit.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The request and greeting parsers, and the reply encoding, against RFC 1928 bytes. */
class SocksRequestTest {

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("CONNECT IPv4", Bytes.of(5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90),
                        "CONNECT IPV4 10.0.0.1:8080"),
                Arguments.of("CONNECT domain that looks like an address", Bytes.of(5, 1, 0, 3, 8, "10.0.0.2", 0x01, 0xbb),
                        "CONNECT DOMAIN_NAME 10.0.0.2:443"),
                Arguments.of("CONNECT domain name", Bytes.of(5, 1, 0, 3, 13, "party.example", 0xff, 0xff),
                        "CONNECT DOMAIN_NAME party.example:65535"),
                Arguments.of("CONNECT empty domain name", Bytes.of(5, 1, 0, 3, 0, 0, 80),
                        "CONNECT DOMAIN_NAME :80"),
                Arguments.of("CONNECT IPv6", Bytes.of(5, 1, 0, 4, Bytes.hex("20010db8000000000000000000000001"), 0, 80),
                        "CONNECT IPV6 2001:db8:0:0:0:0:0:1:80"),
                Arguments.of("CONNECT IPv4-mapped IPv6 comes out as IPv4", Bytes.of(5, 1, 0, 4,
                        Bytes.hex("00000000000000000000ffff0a000003"), 0, 80), "CONNECT IPV6 10.0.0.3:80"),
                Arguments.of("reserved byte is ignored", Bytes.of(5, 1, 0x7f, 1, 10, 0, 0, 1, 0, 80),
                        "CONNECT IPV4 10.0.0.1:80"),
                Arguments.of("BIND parses; the server refuses it", Bytes.of(5, 2, 0, 1, 10, 0, 0, 1, 0, 80),
                        "BIND IPV4 10.0.0.1:80"),
                Arguments.of("UDP ASSOCIATE parses; the server refuses it", Bytes.of(5, 3, 0, 1, 0, 0, 0, 0, 0, 0),
                        "UDP_ASSOCIATE IPV4 0.0.0.0:0"),
                Arguments.of("unknown command", Bytes.of(5, 9, 0, 1, 10, 0, 0, 1, 0, 80),
                        "reply COMMAND_NOT_SUPPORTED (0x07)"),
                Arguments.of("address type 2 (unassigned)", Bytes.of(5, 1, 0, 2, 10, 0, 0, 1, 0, 80),
                        "reply ADDRESS_TYPE_NOT_SUPPORTED (0x08)"),
                Arguments.of("address type 0", Bytes.of(5, 1, 0, 0), "reply ADDRESS_TYPE_NOT_SUPPORTED (0x08)"),
                Arguments.of("wrong version", Bytes.of(4, 1, 0, 1, 10, 0, 0, 1, 0, 80), "close"),
                Arguments.of("empty", Bytes.of(), "EOF"),
                Arguments.of("truncated header", Bytes.of(5, 1, 0), "EOF"),
                Arguments.of("truncated IPv4 address", Bytes.of(5, 1, 0, 1, 10, 0), "EOF"),
                Arguments.of("truncated IPv6 address", Bytes.of(5, 1, 0, 4, 0x20, 0x01), "EOF"),
                Arguments.of("truncated domain name", Bytes.of(5, 1, 0, 3, 8, "10.0"), "EOF"),
                Arguments.of("truncated port", Bytes.of(5, 1, 0, 1, 10, 0, 0, 1, 0x1f), "EOF"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void parsesRequest(String name, byte[] wire, String expected) {
        assertThat(outcome(() -> {
            SocksRequest r = SocksRequest.read(new ByteArrayInputStream(wire));
            return r.command() + " " + r.addressType() + " " + r.host() + ":" + r.port();
        })).isEqualTo(expected);
    }

    @Test
    void readsNoByteBeyondTheRequest() throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(Bytes.of(5, 1, 0, 1, 10, 0, 0, 1, 0, 80, "payload"));
        SocksRequest.read(in);
        assertThat(new String(in.readAllBytes())).isEqualTo("payload");
    }

    static Stream<Arguments> greetings() {
        return Stream.of(
                Arguments.of(Bytes.of(5, 1, 0), "[0]"),
                Arguments.of(Bytes.of(5, 3, 0x80, 2, 0), "[128, 2, 0]"),
                Arguments.of(Bytes.of(5, 0), "[]"),
                Arguments.of(Bytes.of(4, 1, 0, 80, 10, 0, 0, 1, 0), "close"),
                Arguments.of(Bytes.of(5, 2, 0), "EOF"),
                Arguments.of(Bytes.of(5), "EOF"));
    }

    @ParameterizedTest(name = "{index}: {1}")
    @MethodSource("greetings")
    void parsesGreeting(byte[] wire, String expected) {
        assertThat(outcome(() -> SocksGreeting.read(new ByteArrayInputStream(wire)).methods().toString()))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(SocksReplyCode.class)
    void encodesEveryReplyWithTheZeroIpv4BindAddressTheGoPeerSends(SocksReplyCode code) {
        assertThat(Bytes.hex(SocksWire.reply(code)))
                .isEqualTo(Bytes.hex(Bytes.of(5, code.code(), 0, 1, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void replyCodesAreRfc1928Values() {
        assertThat(SocksReplyCode.values()).extracting(SocksReplyCode::code)
                .containsExactly(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);
        assertThat(SocksReplyCode.values()).extracting(Enum::name).containsExactly("SUCCEEDED", "GENERAL_FAILURE",
                "NOT_ALLOWED", "NETWORK_UNREACHABLE", "HOST_UNREACHABLE", "CONNECTION_REFUSED", "TTL_EXPIRED",
                "COMMAND_NOT_SUPPORTED", "ADDRESS_TYPE_NOT_SUPPORTED");
    }

    interface Parse {
        String run() throws Exception;
    }

    /** What a parse ends in, as a table cell: its result, "reply CODE", "close" or "EOF". */
    static String outcome(Parse parse) {
        try {
            return parse.run();
        } catch (SocksException e) {
            return e.reply().map(r -> "reply " + r).orElse("close");
        } catch (EOFException e) {
            return "EOF";
        } catch (Exception e) {
            return "unexpected " + e;
        }
    }
}
