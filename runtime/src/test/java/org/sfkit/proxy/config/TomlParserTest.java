package org.sfkit.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TomlParserTest {

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("x = \"8020\"", "8020"),
                Arguments.of("x = 'C:\\path'", "C:\\path"),
                Arguments.of("x = \"tab\\tquote\\\" back\\\\ \\u00e9\\U0001F600\"", "tab\tquote\" back\\ \u00e9\uD83D\uDE00"),
                Arguments.of("x = \"a # not a comment\" # a comment", "a # not a comment"),
                Arguments.of("x = 4", 4L),
                Arguments.of("x = -17", -17L),
                Arguments.of("x = +3", 3L),
                Arguments.of("x = 100_000", 100_000L),
                Arguments.of("x = 0", 0L),
                Arguments.of("x = 0x1F", 31L),
                Arguments.of("x = 0o17", 15L),
                Arguments.of("x = 0b101", 5L),
                Arguments.of("x = 28.374", 28.374),
                Arguments.of("x = 1e6", 1e6),
                Arguments.of("x = -2.5E-3", -2.5e-3),
                Arguments.of("x = inf", Double.POSITIVE_INFINITY),
                Arguments.of("x = -inf", Double.NEGATIVE_INFINITY),
                Arguments.of("x = true", true),
                Arguments.of("x = false   # trailing comment", false),
                Arguments.of("x = 1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z"),
                Arguments.of("x = []", List.of()),
                Arguments.of("x = [0, 1000, 1000]", List.of(0L, 1000L, 1000L)),
                Arguments.of("x = [\"a\", 'b',]", List.of("a", "b")),
                Arguments.of("x = [\n  1, # one\n  [2, 3],\n]", List.of(1L, List.of(2L, 3L))),
                Arguments.of("x = {}", Map.of()),
                Arguments.of("x = { party1 = \"8020\", party2 = \"8040\" }", Map.of("party1", "8020", "party2", "8040")),
                Arguments.of("x = { a.b = 1 }", Map.of("a", Map.of("b", 1L))),
                Arguments.of("\"x\" = 1", 1L),
                Arguments.of("'x' = 1", 1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void readsValues(String document, Object expected) throws TomlException {
        assertThat(TomlParser.parse(document)).containsEntry("x", expected);
    }

    @Test
    void readsTablesDottedKeysAndComments() throws TomlException {
        Map<String, Object> toml = TomlParser.parse("""
                # leading comment
                top = 1

                [servers.party0]   # header comment
                ipaddr = "127.0.0.1"
                ports.party1 = "8020"

                [servers."party1"]
                ipaddr = "10.1.2.3"
                [servers.party1.ports]
                party2 = "8060"
                [ a . b ]
                c = 1\r
                """);
        assertThat(toml).containsEntry("top", 1L)
                .containsEntry("servers", Map.of(
                        "party0", Map.of("ipaddr", "127.0.0.1", "ports", Map.of("party1", "8020")),
                        "party1", Map.of("ipaddr", "10.1.2.3", "ports", Map.of("party2", "8060"))))
                .containsEntry("a", Map.of("b", Map.of("c", 1L)));
    }

    @Test
    void readsTheSfGwasExampleConfiguration() throws Exception {
        String text;
        try (InputStream in = getClass().getResourceAsStream("configGlobal.toml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Object> toml = TomlParser.parse(text);
        assertThat(toml).containsEntry("mpc_num_threads", 2L)
                .containsEntry("num_inds", List.of(0L, 1000L, 1000L))
                .containsEntry("hwe_ub", 28.374)
                .containsEntry("blocks_for_assoc_test", List.of());
        assertThat(toml.get("servers")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsOnlyKeys("party0", "party1", "party2");
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "x = 1\\nx = 2|2|defined twice",
        "[a]\\nb = 1\\n[a]|3|defined twice",
        "x = 1\\n[x]|2|not a table",
        "x = \"open|1|unterminated string",
        "x = 'open|1|unterminated string",
        "x = [1, 2|1|unterminated array",
        "x = { a = 1|1|unterminated inline table",
        "x = { a = 1\\n}|1|inline tables are one line",
        "\\n\\nx = wat|3|not a TOML value",
        "x = 1 2|1|not a TOML value",
        "x = 01|1|not a TOML value",
        "x =|1|expected a value",
        "x = 1 y = 2|1|not a TOML value",
        "= 1|1|expected a key",
        "[[tables]]|1|arrays of tables",
        "x = \"\"\"multi\"\"\"|1|multi-line strings",
        "x = \"\\q\"|1|invalid escape",
        "[a\\nb = 1|1|expected ']'",
    })
    void reportsErrorsWithTheirLine(String document, int line, String message) {
        assertThatThrownBy(() -> TomlParser.parse(document.replace("\\n", "\n")))
                .isInstanceOf(TomlException.class)
                .hasMessageStartingWith("line " + line + ":")
                .hasMessageContaining(message);
    }
}
