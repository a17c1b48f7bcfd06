package org.sfkit.proxy.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CandidateLineTest {

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("3262471577 1 udp 1694498815 203.0.113.7 61234 typ srflx raddr 10.128.0.5 rport 40000",
                        new CandidateLine("3262471577", 1, "udp", 1694498815L, "203.0.113.7", 61234,
                                "srflx", Optional.of(new CandidateLine.Related("10.128.0.5", 40000)))),
                Arguments.of("2130706431 1 udp 2130706431 192.168.1.20 50000 typ host",
                        new CandidateLine("2130706431", 1, "udp", 2130706431L, "192.168.1.20", 50000,
                                "host", Optional.empty())),
                Arguments.of("1 1 udp 16777215 2001:db8::1 3478 typ relay raddr 0.0.0.0 rport 0",
                        new CandidateLine("1", 1, "udp", 16777215L, "2001:db8::1", 3478,
                                "relay", Optional.of(new CandidateLine.Related("0.0.0.0", 0)))),
                Arguments.of("842163049 1 udp 1677729535 198.51.100.2 4000 typ srflx raddr 10.0.0.2 rport 5000 generation 0",
                        new CandidateLine("842163049", 1, "udp", 1677729535L, "198.51.100.2", 4000,
                                "srflx", Optional.of(new CandidateLine.Related("10.0.0.2", 5000)),
                                List.of(Map.entry("generation", "0")))));
    }

    @ParameterizedTest
    @MethodSource("lines")
    void parsesAndFormatsTheExactTextForm(String text, CandidateLine expected) {
        assertThat(CandidateLine.parse(text)).isEqualTo(expected);
        assertThat(expected.format()).isEqualTo(text);
    }

    @ParameterizedTest
    @MethodSource("lines")
    void acceptsAndStripsTheCandidatePrefix(String text, CandidateLine expected) {
        assertThat(CandidateLine.parse("candidate:" + text)).isEqualTo(expected);
        assertThat(CandidateLine.parse("  candidate:" + text + "\r\n").format()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "1 1 udp 1 1.2.3.4 5 host",
        "1 1 udp 1 1.2.3.4 5 type host",
        "1 x udp 1 1.2.3.4 5 typ host",
        "1 1 udp 1 1.2.3.4 70000 typ host",
        "1 1 udp 1 1.2.3.4 5 typ srflx raddr 10.0.0.1",
        "1 1 udp 1 1.2.3.4 5 typ srflx raddr 10.0.0.1 rport",
        "1 1 udp 1 1.2.3.4 5 typ srflx rport 9"
    })
    void rejectsMalformedLines(String text) {
        assertThatThrownBy(() -> CandidateLine.parse(text))
                .isInstanceOf(MalformedSignalException.class);
    }
}
