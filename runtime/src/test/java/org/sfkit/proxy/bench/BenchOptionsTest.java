package org.sfkit.proxy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchOptionsTest {
    @Test
    void everyOptionIsParsed() {
        BenchOptions o = BenchOptions.parse(new String[] {"--size-mib", "64", "--kwik-size-mib", "16", "--warmup-mib", "32", "--rounds", "5",
                "--rtt-count", "100", "--rtt-warmup", "0", "--write-kib", "1", "--timeout-s", "7",
                "--engines", "netty", "--paths", "tcp,proxy"});

        assertThat(o).isEqualTo(new BenchOptions(64, 16, 32, 5, 100, 0, 1, Duration.ofSeconds(7), List.of("netty"),
                List.of("tcp", "proxy")));
        assertThat(o.sizeBytes("kwik")).isEqualTo(16L << 20);
        assertThat(o.sizeBytes("netty")).isEqualTo(64L << 20);
        assertThat(o.sizeBytes(null)).isEqualTo(64L << 20);
        assertThat(o.warmUpBytes("netty")).isEqualTo(32L << 20);
        assertThat(o.warmUpBytes("kwik")).as("capped at the kwik case size").isEqualTo(16L << 20);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--rounds 0            | --rounds must be 1..",
            "--size-mib x          | --size-mib needs a number, got 'x'",
            "--write-kib 65        | --write-kib must be 1..64",
            "--engines quiche      | --engines: unknown 'quiche'",
            "--paths tcp,udp       | --paths: unknown 'udp'",
            "--rounds              | missing value after --rounds",
            "--bogus 1             | unknown option --bogus"})
    void badOptionsAreNamed(String args, String message) {
        assertThatThrownBy(() -> BenchOptions.parse(args.trim().split(" +")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
