package org.sfkit.proxy.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StunDatagramsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Binding request, no attributes
        "STUN binding request|000100002112a442000102030405060708090a0b|true",
        // Binding success with an 8-byte XOR-MAPPED-ADDRESS (length 12)
        "STUN binding success|0101000c2112a442000102030405060708090a0b0020000800019e1b5e12a443|true",
        "QUIC long header (Initial)|c000000001082112a442000102030405060708090a0b|false",
        "QUIC short header|4000000c2112a442000102030405060708090a0b|false",
        "top bits 00 but no magic cookie (RFC 9287 grease)|0001000000000000000102030405060708090a0b|false",
        "length field disagrees with the datagram|000100042112a442000102030405060708090a0b|false",
        "shorter than a STUN header|000100002112a442|false",
    })
    void tellsStunFromQuic(String what, String hex, boolean stun) {
        assertThat(StunDatagrams.isStun(ByteBuffer.wrap(HexFormat.of().parseHex(hex)))).as(what).isEqualTo(stun);
    }
}
