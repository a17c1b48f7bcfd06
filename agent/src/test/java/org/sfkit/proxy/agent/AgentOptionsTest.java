package org.sfkit.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sfkit.proxy.cli.ProxyLauncher;

class AgentOptionsTest {
    private static final Set<String> CLI_NAMES = ProxyLauncher.optionNames();

    @Test
    void theKeysAreTheCliFlagNames() {
        assertThat(CLI_NAMES).contains("api", "study", "pid", "stun", "auth-key", "mpc", "socks", "peer", "peer-cert",
                "cert", "key", "udp-host", "udp-port", "quic-engine", "v").doesNotContain("help", "h");
    }

    @ParameterizedTest(name = "options \"{0}\", env \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "pid=2                  | null | 2",
            "pid=2                  | 5    | 2",
            "null                   | 5    | 5",
            "''                     | null | null",
            "' pid = 3 ; '          | null | 3",
            "study=s1;pid=4         | 5    | 4",
    })
    void optionStringWinsOverEnvironment(String options, String env, String expected) {
        Map<String, String> environment = env == null ? Map.of() : Map.of("SFKIT_PROXY_PID", env);

        assertThat(AgentOptions.parse(options, environment, CLI_NAMES).get("pid")).isEqualTo(expected);
    }

    @Test
    void environmentNamesAreUpperCaseWithUnderscores() {
        Map<String, String> options = AgentOptions.parse(null, Map.of("SFKIT_PROXY_AUTH_KEY", "k", "SFKIT_PROXY_PEER_CERT", "1=a.pem"),
                CLI_NAMES);

        assertThat(options).containsEntry("auth-key", "k").containsEntry("peer-cert", "1=a.pem");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "pidd=1      | unknown option 'pidd'",
            "pid         | is not key=value",
    })
    void malformedOrUnknownOptionsAreErrors(String options, String message) {
        assertThatThrownBy(() -> AgentOptions.parse(options, Map.of(), CLI_NAMES)).hasMessageContaining(message);
    }
}
