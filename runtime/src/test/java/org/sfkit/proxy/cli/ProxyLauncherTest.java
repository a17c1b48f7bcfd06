package org.sfkit.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyLauncherTest {
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "pid       | 2                          | --pid 2",
            "peer      | 1=127.0.0.1:9001, 2=h:9002 | --peer 1=127.0.0.1:9001 --peer 2=h:9002",
            "peer-cert | 1=a.pem                    | --peer-cert 1=a.pem",
            "v         | true                       | --v",
            "v         | 2                          | --v --v",
            "v         | false                      | ''",
            "socks     | socks5://127.0.0.1:7081    | --socks socks5://127.0.0.1:7081",
    })
    void optionsBecomeTheCliFlags(String name, String value, String expected) {
        List<String> args = ProxyLauncher.arguments(Main.commandLine(), Map.of(name, value));

        assertThat(String.join(" ", args)).isEqualTo(expected);
    }

    @Test
    void anUnknownOptionNamesTheKnownOnes() {
        assertThatThrownBy(() -> ProxyLauncher.arguments(Main.commandLine(), Map.of("help", "true")))
                .hasMessageContaining("unknown option 'help'").hasMessageContaining("peer-cert");
    }

    @Test
    void theCliValidatesTheOptionsWithItsOwnMessages() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("pid", "1");
        options.put("peer", "2=127.0.0.1:9002");

        assertThatThrownBy(() -> ProxyLauncher.start(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every --peer needs a --peer-cert");
    }
}
