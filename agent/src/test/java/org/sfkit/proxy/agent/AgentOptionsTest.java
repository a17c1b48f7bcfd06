package org.sfkit.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentOptionsTest {
    @ParameterizedTest(name = "options \"{0}\", env \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "loopback-dialer=true           | null  | true",
            "loopback-dialer=false          | true  | false",
            "null                           | true  | true",
            "''                             | null  | false",
            "' loopback-dialer = TRUE ; '   | null  | true",
    })
    void optionStringWinsOverEnvironment(String options, String env, boolean expected) {
        Map<String, String> environment = env == null ? Map.of() : Map.of("SFKIT_PROXY_LOOPBACK_DIALER", env);

        assertThat(AgentOptions.parse(options, environment).flag(AgentOptions.LOOPBACK_DIALER)).isEqualTo(expected);
    }

    @Test
    void listsOfPartiesParse() {
        AgentOptions options = AgentOptions.parse("loopback-parties=1, 3;loopback-dialer=true", Map.of());

        assertThat(options.intSet(AgentOptions.LOOPBACK_PARTIES, "0")).isEqualTo(Set.of(1, 3));
        assertThat(AgentOptions.parse("", Map.of()).intSet(AgentOptions.LOOPBACK_PARTIES, "0,1,2")).isEqualTo(Set.of(0, 1, 2));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "loopback-dialler=true | unknown sfkit-proxy agent option 'loopback-dialler'",
            "loopback-dialer       | is not key=value",
    })
    void malformedOrUnknownOptionsAreErrors(String options, String message) {
        assertThatThrownBy(() -> AgentOptions.parse(options, Map.of())).hasMessageContaining(message);
    }

    @Test
    void aFlagMustBeTrueOrFalse() {
        assertThatThrownBy(() -> AgentOptions.parse("loopback-dialer=yes", Map.of()).flag(AgentOptions.LOOPBACK_DIALER))
                .hasMessageContaining("must be true or false");
    }
}
