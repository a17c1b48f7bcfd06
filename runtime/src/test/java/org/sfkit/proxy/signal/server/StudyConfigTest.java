package org.sfkit.proxy.signal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StudyConfigTest {
    @TempDir
    Path dir;

    @Test
    void loadsStudiesWithTheirKeysInPidOrder() throws IOException {
        Path file = dir.resolve("studies.json");
        Files.writeString(file, "{\"studies\":{\"s1\":[\"k0\",\"k1\"],\"s2\":[\"a\",\"b\",\"c\"]}}");
        assertThat(StudyConfig.load(file)).isEqualTo(Map.of(
                "s1", List.of("k0", "k1"), "s2", List.of("a", "b", "c")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "{\"studies\":[]}",
        "{\"studies\":{\"s1\":\"k0\"}}",
        "{\"studies\":{\"s1\":[\"k0\"]}}",
        "{\"studies\":{\"s1\":[\"k0\",\"k0\"]}}",
        "{\"studies\":{\"s1\":[\"k0\",\"\"]}}",
        "{\"studies\":{\"s1\":[\"k0\",1]}}",
        "{\"studies\":"
    })
    void rejectsMalformedFilesNamingTheFile(String json) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, json);
        assertThatThrownBy(() -> StudyConfig.load(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file.toString());
    }
}
