package org.sfkit.proxy.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One line per record, as spec section 1 shows the Go peer's logs:
 * {@code [HH:MM:SS.mmm] LEVEL: message key=value ...}, with Go's level names (ERROR, WARN, INFO,
 * DEBUG, TRACE) and secrets masked. A record's exception is appended as {@code err="..."}; its
 * stack trace follows only when {@code stackTraces} is set (debug verbosity).
 */
public final class LogLineFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final ZoneId zone;
    private final boolean stackTraces;

    public LogLineFormatter(ZoneId zone, boolean stackTraces) {
        this.zone = zone;
        this.stackTraces = stackTraces;
    }

    /** Go's name for a JUL level. */
    public static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(128);
        line.append('[').append(TIME.format(Instant.ofEpochMilli(record.getMillis()).atZone(zone))).append("] ")
                .append(levelName(record.getLevel())).append(": ")
                .append(formatMessage(record));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.append(" err=\"").append(describe(thrown).replace("\"", "'")).append('"');
            if (stackTraces) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
            }
        }
        return Secrets.mask(line.toString()) + System.lineSeparator();
    }

    private static String describe(Throwable thrown) {
        String message = thrown.getMessage();
        return message == null || message.isBlank() ? thrown.getClass().getSimpleName()
                : thrown.getClass().getSimpleName() + ": " + message;
    }
}
