package org.sfkit.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogLineFormatterTest {
    /** Spec section 1: {@code [HH:MM:SS.mmm] LEVEL: message key=value ...}. */
    private static final String LINE = "\\[\\d{2}:\\d{2}:\\d{2}\\.\\d{3}] (ERROR|WARN|INFO|DEBUG|TRACE): .*\\R";

    @AfterEach
    void resetLogging() throws IOException {
        LogManager.getLogManager().readConfiguration();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "SEVERE,  ERROR",
        "WARNING, WARN",
        "INFO,    INFO",
        "CONFIG,  DEBUG",
        "FINE,    DEBUG",
        "FINER,   TRACE",
        "FINEST,  TRACE",
    })
    void writesGoLevelNames(String julLevel, String goLevel) {
        LogRecord record = new LogRecord(Level.parse(julLevel), "proxy ready pid={0} socks={1}");
        record.setParameters(new Object[] {1, "127.0.0.1:7080"});
        record.setMillis(((12 * 60 + 34) * 60 + 56) * 1000L + 789);

        String line = new LogLineFormatter(ZoneOffset.UTC, false).format(record);

        assertThat(line).matches(LINE)
                .isEqualTo("[12:34:56.789] " + goLevel + ": proxy ready pid=1 socks=127.0.0.1:7080" + System.lineSeparator());
    }

    @Test
    void appendsTheErrorAndOnlyAtDebugItsStackTrace() {
        LogRecord record = new LogRecord(Level.WARNING, "dial failed peer=2");
        record.setThrown(new ConnectException("Connection \"refused\""));

        String terse = new LogLineFormatter(ZoneOffset.UTC, false).format(record);
        String verbose = new LogLineFormatter(ZoneOffset.UTC, true).format(record);

        assertThat(terse).matches(LINE).endsWith("dial failed peer=2 err=\"ConnectException: Connection 'refused'\"" + System.lineSeparator());
        assertThat(verbose).startsWith(terse.stripTrailing()).contains("\tat ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"ufrag\":\"abcdefghijklmnop\",\"pwd\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef\"}|{\"ufrag\":\"abcdefghijklmnop\",\"pwd\":\"***\"}",
        "\"data\":\"{\\\"ufrag\\\":\\\"u\\\",\\\"pwd\\\":\\\"secretsecret\\\"}\"|\"data\":\"{\\\"ufrag\\\":\\\"u\\\",\\\"pwd\\\":\\\"***\\\"}\"",
        "credential pwd=hunter2 ufrag=abc|credential pwd=*** ufrag=abc",
        "a=ice-pwd:asd88fgpdd777uzjYhagZg|a=ice-pwd:***",
        "Authorization: Bearer ya29.token-value now|Authorization: Bearer *** now",
        "Authorization: my-auth-key|Authorization: ***",
        "socks=socks5://alice:s3cret@localhost:7080|socks=socks5://alice:***@localhost:7080",
        "auth-key=abc123 study=s1|auth-key=*** study=s1",
        "proxy ready pid=1 socks=127.0.0.1:7080|proxy ready pid=1 socks=127.0.0.1:7080",
    })
    void masksSecrets(String text, String masked) {
        assertThat(Secrets.mask(text)).isEqualTo(masked);
        LogRecord record = new LogRecord(Level.INFO, text);
        assertThat(new LogLineFormatter(ZoneOffset.UTC, false).format(record)).contains(masked).matches(LINE);
    }

    @Test
    void configureWritesOwnLinesAtTheChosenVerbosity() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Logging.configure(1, new PrintStream(sink, true, StandardCharsets.UTF_8));
        Logger own = Logger.getLogger("org.sfkit.proxy.cli.Example");
        Logger library = Logger.getLogger("io.netty.Example");

        own.info("shown pwd=topsecret");
        own.fine("hidden at -v");
        library.info("library info hidden");
        library.warning("library warning shown");

        String out = sink.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).hasSize(2);
        assertThat(out).matches("(" + LINE + "){2}")
                .contains("INFO: shown pwd=***").contains("WARN: library warning shown")
                .doesNotContain("topsecret");
    }

    @ParameterizedTest
    @CsvSource({"0, WARNING", "1, INFO", "2, FINE", "3, FINEST", "5, FINEST"})
    void verbosityCountsMapToLevels(int count, String level) {
        assertThat(Logging.levelFor(count)).isEqualTo(Level.parse(level));
    }
}
