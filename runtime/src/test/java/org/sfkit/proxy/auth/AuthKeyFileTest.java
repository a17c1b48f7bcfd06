package org.sfkit.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthKeyFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "key-123                          | key-123",
        "key-123\\n                       | key-123",
        "'  key-123  \\r\\n'              | key-123",
        "\\n\\n\\tkey-123\\nsecond line   | key-123",
        "study_id: 9f2c                   | NONE",
        "study_id:9f2c\\nkey-123          | NONE",
        "'   study_id: 9f2c'              | NONE",
        "''                               | NONE",
        "' \\n \\t\\n'                    | NONE",
        "key:study_id:                    | key:study_id:"
    })
    void readsTheKeyOrNone(String content, String expected) throws IOException {
        Path file = dir.resolve(AuthKeyFile.FILE_NAME);
        Files.writeString(file, unescape(content), StandardCharsets.UTF_8);
        assertThat(AuthKeyFile.read(file)).isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void aMissingFileMeansNoKey() throws IOException {
        assertThat(AuthKeyFile.read(dir.resolve("absent").resolve(AuthKeyFile.FILE_NAME))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NONE", value = {
        "NONE, /home/ann/.config/sfkit",
        "'', /home/ann/.config/sfkit",
        "'  ', /home/ann/.config/sfkit",
        "/srv/sfkit, /srv/sfkit"
    })
    void theDirectoryIsSfkitDirOrTheDefault(String sfkitDir, String expected) {
        assertThat(AuthKeyFile.directory(sfkitDir, Path.of("/home/ann"))).isEqualTo(Path.of(expected));
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");
    }
}
