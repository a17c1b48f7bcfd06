package org.sfkit.proxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortHeaderTest {

    @ParameterizedTest
    @CsvSource({"0, 00, 00", "1, 00, 01", "80, 00, 50", "7080, 1b, a8", "8100, 1f, a4", "65535, ff, ff"})
    void portIsTwoBytesBigEndian(int port, String hi, String lo) throws Exception {
        byte[] wire = PortHeader.encode(port);
        assertThat(wire).containsExactly(Integer.parseInt(hi, 16), Integer.parseInt(lo, 16));
        assertThat(PortHeader.read(new ByteArrayInputStream(wire))).isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, 100_000})
    void outOfRangePortsAreRefused(int port) {
        assertThatThrownBy(() -> PortHeader.encode(port)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1f"})
    void aStreamEndingInsideTheHeaderIsAnError(String hex) {
        byte[] bytes = hex.isEmpty() ? new byte[0] : new byte[] {(byte) Integer.parseInt(hex, 16)};
        assertThatThrownBy(() -> PortHeader.read(new ByteArrayInputStream(bytes))).isInstanceOf(EOFException.class);
    }
}
