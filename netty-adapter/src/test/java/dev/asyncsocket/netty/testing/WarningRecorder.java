package dev.asyncsocket.netty.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Records what is logged at WARNING or above while it is open, from any thread: the library's
 * {@code System.Logger}s and Netty's own logging both end in {@code java.util.logging} here. Thread-safe.
 */
public final class WarningRecorder extends Handler implements AutoCloseable {

    private static final Logger ROOT = Logger.getLogger("");
    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private WarningRecorder() {
        setLevel(Level.WARNING);
    }

    /** Starts recording. */
    public static WarningRecorder start() {
        WarningRecorder recorder = new WarningRecorder();
        ROOT.addHandler(recorder);
        return recorder;
    }

    /** Each warning so far, formatted with its logger, message and stack trace. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            warnings.add(FORMAT.format(record));
        }
    }

    @Override
    public void flush() {
    }

    /** Stops recording; what was recorded stays readable. */
    @Override
    public void close() {
        ROOT.removeHandler(this);
    }
}
