package dev.asyncsocket.examples.bench.jmh;

import dev.asyncsocket.examples.bench.Loopback;
import dev.asyncsocket.netty.NettyTransport;

import javax.management.ObjectName;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the objects that one send completion and one receive completion allocate, class by class, which
 * {@code -prof gc} cannot tell: runs the microbenchmarks' batches under the Epsilon collector (which frees
 * nothing), takes the heap's class histogram of all objects before and after a batch, and prints the
 * difference per operation. Started with another collector, it runs itself again under Epsilon.
 *
 * <p>Usage: {@code AllocationCensus [EPOLL|NIO|IO_URING]}. Threading: the main thread takes the histograms;
 * the operations run on the socket's event loop, as in the microbenchmarks.
 */
public final class AllocationCensus {

    private static final int SENDS = 50_000;
    private static final int RECEIVES = 20_000;
    private static final int WARM_UP_BATCHES = 4;
    private static final double SHOWN_FROM_INSTANCES_PER_OP = 0.01;

    private AllocationCensus() {
    }

    public static void main(String[] args) throws Exception {
        if (!underEpsilon()) {
            System.exit(runUnderEpsilon(args));
        }
        NettyTransport transport = args.length > 0 && !args[0].isBlank()
                ? NettyTransport.valueOf(args[0].trim()) : NettyTransport.EPOLL;
        System.out.println("objects allocated per operation on " + transport + " (all threads; Epsilon GC)");
        try (Loopback loopback = Loopback.toDiscardingPeer(transport)) {
            census("send completion, 1 x 1 KiB", new SendBatch(loopback, payload(1), 16, SENDS), SENDS);
            census("send completion, 8 x 1 KiB", new SendBatch(loopback, payload(8), 16, SENDS), SENDS);
        }
        try (Loopback loopback = Loopback.fromStreamingPeer(transport)) {
            census("receive completion, one 64 KiB buffer",
                    new ReceiveBatch(loopback, ByteBuffer.allocateDirect(64 * 1024), RECEIVES), RECEIVES);
        }
    }

    private static void census(String title, EventLoopBatch batch, int operations) throws Exception {
        for (int i = 0; i < WARM_UP_BATCHES; i++) {
            batch.runAndAwait();
        }
        // Taking a histogram allocates too: what two back-to-back ones differ by is subtracted.
        String first = histogram();
        String second = histogram();
        batch.runAndAwait();
        String third = histogram();
        Map<String, long[]> idle = difference(parse(first), parse(second));
        Map<String, long[]> work = difference(parse(second), parse(third));

        List<Object[]> rows = new ArrayList<>();
        double totalBytes = 0;
        double totalObjects = 0;
        for (Map.Entry<String, long[]> entry : work.entrySet()) {
            long[] noise = idle.getOrDefault(entry.getKey(), new long[2]);
            double instances = (entry.getValue()[0] - noise[0]) / (double) operations;
            double bytes = (entry.getValue()[1] - noise[1]) / (double) operations;
            if (instances >= SHOWN_FROM_INSTANCES_PER_OP) {
                rows.add(new Object[] {entry.getKey(), instances, bytes});
                totalBytes += bytes;
                totalObjects += instances;
            }
        }
        rows.sort((a, b) -> Double.compare((double) b[2], (double) a[2]));
        System.out.printf("%n%s: %.1f objects, %.0f bytes per operation%n", title, totalObjects, totalBytes);
        System.out.printf("  %10s %10s  %s%n", "objects/op", "bytes/op", "class");
        for (Object[] row : rows) {
            System.out.printf("  %10.2f %10.1f  %s%n", row[1], row[2], row[0]);
        }
    }

    private static ByteBuffer[] payload(int buffers) {
        ByteBuffer[] payload = new ByteBuffer[buffers];
        for (int i = 0; i < buffers; i++) {
            payload[i] = ByteBuffer.allocateDirect(1024);
        }
        return payload;
    }

    /** The heap's class histogram, every object counted, reachable or not. */
    private static String histogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[] {"-all"}}, new String[] {String[].class.getName()});
    }

    /** Class name to {instances, bytes}. */
    private static Map<String, long[]> parse(String text) {
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                classes.put(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
            }
        }
        return classes;
    }

    private static Map<String, long[]> difference(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, long[]> grown = new HashMap<>();
        after.forEach((name, counts) -> {
            long[] was = before.getOrDefault(name, new long[2]);
            grown.put(name, new long[] {counts[0] - was[0], counts[1] - was[1]});
        });
        return grown;
    }

    private static boolean underEpsilon() {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector.getName().startsWith("Epsilon")) {
                return true;
            }
        }
        return false;
    }

    private static int runUnderEpsilon(String[] args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UnlockExperimentalVMOptions", "-XX:+UseEpsilonGC", "-Xms3g", "-Xmx3g", "-Xlog:gc+init=off",
                "-cp", System.getProperty("java.class.path"), AllocationCensus.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
