package org.sfkit.proxy.logging;

import java.io.PrintStream;
import java.time.ZoneId;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Configures java.util.logging for the command line: one line per record on stdout (spec section 1). */
public final class Logging {
    /** Our own classes. */
    private static final String OWN = "org.sfkit.proxy";
    /** Libraries relocated into the agent jar (Netty, kwik) log under this name there. */
    private static final String SHADED = "org.sfkit.proxy.shaded";
    /** Keeps the configured loggers alive: JUL holds loggers weakly and would forget their levels. */
    private static final Logger[] CONFIGURED = new Logger[3];

    private Logging() {
    }

    /**
     * {@code -v} count to level: none WARN, {@code -v} INFO, {@code -vv} DEBUG, {@code -vvv} TRACE
     * (spec section 1: "-v repeatable: info, debug, trace").
     */
    public static Level levelFor(int verbosity) {
        return switch (Math.max(0, verbosity)) {
            case 0 -> Level.WARNING;
            case 1 -> Level.INFO;
            case 2 -> Level.FINE;
            default -> Level.FINEST;
        };
    }

    /**
     * Replaces every JUL handler with one writing to {@code out}. Libraries (Netty, kwik, ice4j)
     * stay at WARN below trace verbosity: their debug output would drown ours.
     */
    public static void configure(int verbosity, PrintStream out) {
        Level level = levelFor(verbosity);
        Level libraries = verbosity >= 3 ? Level.FINEST : Level.WARNING;
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new PrintStreamHandler(out,
                new LogLineFormatter(ZoneId.systemDefault(), verbosity >= 2));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(libraries);
        CONFIGURED[0] = root;
        CONFIGURED[1] = Logger.getLogger(OWN);
        CONFIGURED[1].setLevel(level);
        CONFIGURED[2] = Logger.getLogger(SHADED);
        CONFIGURED[2].setLevel(libraries);
    }

    /**
     * Writes and flushes each line; unlike {@link java.util.logging.StreamHandler} it never closes
     * the stream, because JUL closes handlers at shutdown and stdout must outlive that.
     */
    private static final class PrintStreamHandler extends Handler {
        private final PrintStream out;

        PrintStreamHandler(PrintStream out, Formatter formatter) {
            this.out = out;
            setFormatter(formatter);
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            String line;
            try {
                line = getFormatter().format(record);
            } catch (RuntimeException e) {
                line = "[--:--:--.---] ERROR: unformattable log record: " + record.getMessage() + System.lineSeparator();
            }
            synchronized (out) {
                out.print(line);
                out.flush();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
