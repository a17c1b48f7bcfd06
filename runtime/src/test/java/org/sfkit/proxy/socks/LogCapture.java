package org.sfkit.proxy.socks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the socks package logs, down to FINE (so the per-connection messages run too),
 * and restores the logger on close.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(SocksServer.class.getPackageName());
    private final Level previousLevel = logger.getLevel();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        logger.setLevel(Level.FINE);
        logger.addHandler(this);
    }

    List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
