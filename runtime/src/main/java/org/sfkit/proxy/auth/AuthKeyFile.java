package org.sfkit.proxy.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The website auth key sfkit stores in {@code $SFKIT_DIR/auth_key.txt} (default
 * {@code ~/.config/sfkit}). sfkit writes {@code study_id:...} as the first line when the study
 * uses cloud credentials instead of a key: that means "no key".
 */
public final class AuthKeyFile {
    static final String FILE_NAME = "auth_key.txt";
    private static final String NO_KEY_MARKER = "study_id:";

    private AuthKeyFile() {
    }

    /** {@code $SFKIT_DIR}, or {@code <home>/.config/sfkit} when unset or empty. */
    public static Path directory(String sfkitDirEnv, Path home) {
        return sfkitDirEnv == null || sfkitDirEnv.isBlank()
                ? home.resolve(".config").resolve("sfkit") : Path.of(sfkitDirEnv);
    }

    /**
     * The key in {@code file}: its first non-blank line, without surrounding whitespace. Empty
     * when the file is missing, blank, or starts with {@code study_id:}.
     */
    public static Optional<String> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String firstLine = text.strip().lines().findFirst().orElse("").strip();
        if (firstLine.isEmpty() || firstLine.startsWith(NO_KEY_MARKER)) {
            return Optional.empty();
        }
        return Optional.of(firstLine);
    }
}
