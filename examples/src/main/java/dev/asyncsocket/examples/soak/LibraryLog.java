package dev.asyncsocket.examples.soak;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;

/**
 * The library's log while the soak runs ({@code java.util.logging}, the default backend of its
 * {@code System.Logger}s), counted instead of printed: it logs every throwing callback with a stack trace. A record
 * is expected if it is about a throw the soak made on purpose, or about a socket of the hostile caller (a receive
 * whose lent buffers it moved); any other one is a finding, reported as a problem. So is any warning of Netty's
 * (an exception in an event loop, say), which is counted and still printed.
 */
final class LibraryLog extends Handler {

    /** What the library and Netty logged, by logger and level, and how many of those records were not expected. */
    record Summary(Map<String, Long> records, long unexpected) {

        boolean passed() {
            return unexpected == 0;
        }

        void print(PrintStream out) {
            out.printf("log             %s; unexpected %d%n", records.isEmpty() ? "nothing" : records.entrySet().stream()
                    .map(e -> e.getKey() + " " + String.format("%,d", e.getValue()))
                    .collect(Collectors.joining(", ")), unexpected);
        }
    }

    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    /** Held here: java.util.logging keeps its loggers only weakly, and with them their handlers. */
    private final Logger library = Logger.getLogger("dev.asyncsocket");
    private final Logger netty = Logger.getLogger("io.netty");
    private final CallbackThrows throwsOnPurpose;
    private final Predicate<String> aboutHostileSocket;
    private final Consumer<String> problems;
    private final Map<String, LongAdder> records = new ConcurrentHashMap<>();
    private final LongAdder unexpected = new LongAdder();

    LibraryLog(CallbackThrows throwsOnPurpose, Predicate<String> aboutHostileSocket, Consumer<String> problems) {
        this.throwsOnPurpose = throwsOnPurpose;
        this.aboutHostileSocket = aboutHostileSocket;
        this.problems = problems;
    }

    void install() {
        setLevel(Level.WARNING);
        library.setUseParentHandlers(false);
        library.addHandler(this);
        netty.addHandler(this);
    }

    void uninstall() {
        library.removeHandler(this);
        library.setUseParentHandlers(true);
        netty.removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String logger = record.getLoggerName().substring(record.getLoggerName().lastIndexOf('.') + 1);
        records.computeIfAbsent(logger + " " + record.getLevel(), key -> new LongAdder()).increment();
        boolean fromNetty = record.getLoggerName().startsWith(netty.getName());
        if (!fromNetty && throwsOnPurpose.loggedOneOfOurs(record.getThrown())) {
            return;
        }
        String message = FORMAT.formatMessage(record);
        if (fromNetty || !aboutHostileSocket.test(message)) {
            unexpected.increment();
            String firstLine = message.lines().findFirst().orElse(""); // a leak report goes on for pages
            problems.accept(record.getLevel() + " logged by " + record.getLoggerName() + ": " + firstLine
                    + (record.getThrown() == null ? "" : " (" + record.getThrown() + ")"));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    Summary summary() {
        Map<String, Long> counts = new TreeMap<>();
        records.forEach((key, count) -> counts.put(key, count.sum()));
        return new Summary(counts, unexpected.sum());
    }
}
