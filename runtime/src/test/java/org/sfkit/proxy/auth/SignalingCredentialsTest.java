package org.sfkit.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which source wins; the Google path itself is in {@link GoogleMetadataCredentialsTest}. */
class SignalingCredentialsTest {
    @TempDir
    Path home;

    @Test
    void theFlagIsSentVerbatimAndWinsOverTheFile() throws IOException {
        writeKey(home.resolve(".config/sfkit"), "file-key");
        AuthorizationHeader header = SignalingCredentials.resolve(" flag key ", Map.of(), home);
        assertThat(header.value()).isEqualTo(" flag key ");
    }

    @Test
    void withoutAFlagTheDefaultKeyFileIsUsed() throws IOException {
        writeKey(home.resolve(".config/sfkit"), "file-key\n");
        assertThat(SignalingCredentials.resolve("", Map.of(), home).value()).isEqualTo("file-key");
        assertThat(SignalingCredentials.resolve(null, Map.of(), home).value()).isEqualTo("file-key");
    }

    @Test
    void sfkitDirMovesTheKeyFile() throws IOException {
        writeKey(home.resolve(".config/sfkit"), "default-place");
        Path elsewhere = home.resolve("elsewhere");
        writeKey(elsewhere, "moved");
        AuthorizationHeader header = SignalingCredentials.resolve("",
                Map.of("SFKIT_DIR", elsewhere.toString()), home);
        assertThat(header.value()).isEqualTo("moved");
    }

    @Test
    void aStudyIdFileOrNoFileFallsBackToGoogleCredentials() throws IOException {
        assertThat(SignalingCredentials.resolve("", Map.of(), home))
                .isInstanceOf(GoogleAccessToken.class);
        writeKey(home.resolve(".config/sfkit"), "study_id: abc");
        assertThat(SignalingCredentials.resolve("", Map.of(), home))
                .isInstanceOf(GoogleAccessToken.class);
    }

    private static void writeKey(Path dir, String content) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(AuthKeyFile.FILE_NAME), content);
    }
}
