package dev.asyncsocket.examples.redis;

import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * This Redis client against Lettuce, side by side in one run, against one {@code redis-server} started for it:
 * <ul>
 *   <li>pipelined {@code SET} of 64 B values, 1,000 in flight (each reply issues the next command), in ops/s:
 *       this client; Lettuce as it comes (auto-flush, a flush per command); Lettuce with auto-flush off, 1,000
 *       commands then one {@code flushCommands()}, its fastest setting; and this client driven the same way, in
 *       batches of 1,000 from the caller's thread, so that the encoding runs beside the event loop as it does
 *       for Lettuce there;</li>
 *   <li>{@code PING} ping-pong from one caller thread, one at a time: p50 and p99 latency.</li>
 * </ul>
 * Rounds are interleaved (each round runs every contender once, in an order that rotates) after one warm-up
 * round; the summary gives each ratio's median and the min–max of its per-round values. Each measurement also
 * records the process's CPU time per operation (event loops, caller, GC and JIT together: only one contender runs
 * at a time), which depends much less than rates and latencies on what else a shared machine runs. Both clients run on
 * Netty 4.2.18 (the parent's netty-bom pins Lettuce's), with 2 event loops each, on epoll where it loads
 * (Lettuce prefers epoll; this client uses the transport asked for, by default the best).
 *
 * <p>Usage: {@code RedisVsLettuceBenchmark [rounds] [seconds per measurement] [NIO|EPOLL|IO_URING]}; default 5 3.
 */
public final class RedisVsLettuceBenchmark {

    private static final int IN_FLIGHT = 1000;
    private static final int VALUE_BYTES = 64;
    private static final int KEYS = 10_000;
    private static final long WAIT_SECONDS = 60;
    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING".getBytes(StandardCharsets.US_ASCII);

    private static final String OURS = "AsyncSocket";
    private static final String LETTUCE = "Lettuce";
    private static final String LETTUCE_MANUAL = "Lettuce manual flush";
    /** This client driven as Lettuce with manual flushes is: batches from the caller's thread (it needs no flush). */
    private static final String OURS_BATCHES = "AsyncSocket batches";

    private RedisVsLettuceBenchmark() {
    }

    public static void main(String[] arguments) throws Exception {
        String[] args = String.join(" ", arguments).trim().split("\\s+");
        int rounds = args.length > 0 && !args[0].isEmpty() ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        NettyTransport transport = args.length > 2 ? NettyTransport.valueOf(args[2].toUpperCase()) : NettyTransport.best();
        if (ServerProcess.find(RedisServers.EXECUTABLE).isEmpty()) {
            System.err.println("redis-server is not installed: the benchmark needs it (Debian: apt-get install -y "
                    + RedisServers.DEBIAN_PACKAGE + ")");
            System.exit(2);
        }
        try (ServerProcess server = RedisServers.start()) {
            run(server.port(), server.pid(), rounds, seconds, transport);
        }
        System.exit(0);
    }

    /** The keys and the value every SET of every contender uses. */
    private static final byte[][] KEY_NAMES = new byte[KEYS][];
    private static final byte[] VALUE = new byte[VALUE_BYTES];

    static {
        for (int i = 0; i < KEYS; i++) {
            KEY_NAMES[i] = ("bench:" + i).getBytes(StandardCharsets.US_ASCII);
        }
        new Random(64).nextBytes(VALUE);
    }

    private static void run(int port, long serverPid, int rounds, int seconds, NettyTransport transport) throws Exception {
        long nanos = TimeUnit.SECONDS.toNanos(seconds);
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        io.lettuce.core.RedisClient lettuce = io.lettuce.core.RedisClient.create(resources, RedisURI.create("127.0.0.1", port));
        try (RedisConnection ours = RedisConnection.connect(engine, "127.0.0.1", port).get(WAIT_SECONDS, TimeUnit.SECONDS);
             StatefulRedisConnection<byte[], byte[]> lettuceDefault = lettuce.connect(ByteArrayCodec.INSTANCE);
             StatefulRedisConnection<byte[], byte[]> lettuceManual = lettuce.connect(ByteArrayCodec.INSTANCE)) {
            lettuceManual.setAutoFlushCommands(false);
            RedisAsyncCommands<byte[], byte[]> lettuceAsync = lettuceDefault.async();
            RedisAsyncCommands<byte[], byte[]> manualAsync = lettuceManual.async();

            Map<String, Measure> throughput = new LinkedHashMap<>();
            throughput.put(OURS, () -> window(key -> ours.command(SET, key, VALUE), nanos));
            throughput.put(LETTUCE, () -> window(key -> lettuceAsync.set(key, VALUE), nanos));
            throughput.put(LETTUCE_MANUAL, () -> batches(key -> manualAsync.set(key, VALUE), lettuceManual::flushCommands, nanos));
            throughput.put(OURS_BATCHES, () -> batches(key -> ours.command(SET, key, VALUE), () -> { }, nanos));
            Map<String, Supplier<CompletionStage<?>>> pings = new LinkedHashMap<>();
            pings.put(OURS, () -> ours.command(PING));
            pings.put(LETTUCE, lettuceAsync::ping);

            System.out.printf("redis-server on 127.0.0.1:%d; this client on %s; Lettuce %s on Netty %s; %d rounds of %d s"
                            + " per measurement, after a warm-up round; a shared machine: figures are noisy%n", port, transport,
                    io.lettuce.core.RedisClient.class.getPackage().getImplementationVersion(),
                    io.netty.util.Version.identify().get("netty-common").artifactVersion(), rounds, seconds);
            Results results = new Results();
            for (int round = 0; round <= rounds; round++) {
                boolean warmUp = round == 0;
                StringBuilder line = new StringBuilder(warmUp ? "warm-up:" : "round " + round + "/" + rounds + ":");
                for (String name : rotated(new ArrayList<>(throughput.keySet()), round)) {
                    long cpuBefore = processCpuNanos();
                    long serverCpuBefore = serverCpuNanos(serverPid);
                    Rate rate = throughput.get(name).run();
                    double cpuPerSet = (processCpuNanos() - cpuBefore) / 1e3 / rate.operations();
                    double serverCpuPerSet = (serverCpuNanos(serverPid) - serverCpuBefore) / 1e3 / rate.operations();
                    line.append(String.format(" %s %,.0f SET/s (%.2f µs CPU/SET, server %.2f);", name, rate.perSecond(),
                            cpuPerSet, serverCpuPerSet));
                    if (!warmUp) {
                        results.add(SET_RATE, name, rate.perSecond());
                        results.add(SET_CPU, name, cpuPerSet);
                        results.add(SERVER_SET_CPU, name, serverCpuPerSet);
                    }
                }
                for (String name : rotated(new ArrayList<>(pings.keySet()), round)) {
                    long cpuBefore = processCpuNanos();
                    Histogram latency = pingPong(pings.get(name), nanos);
                    double cpuPerPing = (processCpuNanos() - cpuBefore) / 1e3 / latency.getTotalCount();
                    double p50 = latency.getValueAtPercentile(50) / 1e3;
                    double p99 = latency.getValueAtPercentile(99) / 1e3;
                    line.append(String.format(" %s PING p50 %.1f µs p99 %.1f µs (%.1f µs CPU/PING);", name, p50, p99, cpuPerPing));
                    if (!warmUp) {
                        results.add(PING_P50, name, p50);
                        results.add(PING_P99, name, p99);
                        results.add(PING_CPU, name, cpuPerPing);
                    }
                }
                System.out.println(line);
            }
            results.print();
        } finally {
            lettuce.shutdown();
            resources.shutdown().get(WAIT_SECONDS, TimeUnit.SECONDS);
            engine.decRef();
        }
    }

    /** One measurement of one contender. */
    @FunctionalInterface
    private interface Measure {
        Rate run() throws Exception;
    }

    /** What a throughput measurement counted. */
    private record Rate(long operations, double perSecond) {
        static Rate of(long operations, long startNanos) {
            return new Rate(operations, operations / ((System.nanoTime() - startNanos) / 1e9));
        }
    }

    /**
     * CPU time redis-server spent (user + system, from {@code /proc}, in 10 ms ticks): how hard a client's way of
     * sending makes the server work per command. 0 where {@code /proc} cannot be read.
     */
    private static long serverCpuNanos(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
            return ticks * 10_000_000L;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU time of the whole process (event loops, caller, GC, JIT): steadier than rates on a shared machine. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** A SET of {@code key}, issued. */
    @FunctionalInterface
    private interface AsyncSet {
        CompletionStage<?> set(byte[] key);
    }

    /**
     * {@link #IN_FLIGHT} SETs in flight for {@code nanos}: each reply issues the next, on the thread that completes
     * it (the event loop, for both clients). Counts the replies that came in that time.
     */
    private static Rate window(AsyncSet set, long nanos) throws Exception {
        AtomicLong replies = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch drained = new CountDownLatch(IN_FLIGHT);
        long end = System.nanoTime() + nanos;
        final class Slot implements BiConsumer<Object, Throwable> {
            private int next;

            Slot(int first) {
                next = first;
            }

            void issue() {
                set.set(KEY_NAMES[next]).whenComplete(this);
                next = (next + IN_FLIGHT) % KEYS;
            }

            @Override
            public void accept(Object reply, Throwable failed) {
                if (failed != null) {
                    failure.compareAndSet(null, failed);
                }
                if (System.nanoTime() < end && failed == null) {
                    replies.incrementAndGet();
                    issue();
                } else {
                    drained.countDown();
                }
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < IN_FLIGHT; i++) {
            new Slot(i).issue();
        }
        if (!drained.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("replies missing after " + WAIT_SECONDS + " s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a SET failed", failure.get());
        }
        return new Rate(replies.get(), replies.get() / ((end - start) / 1e9));
    }

    /**
     * Batches from this thread: {@link #IN_FLIGHT} SETs, then {@code flush} (Lettuce with auto-flush off: its
     * {@code flushCommands()}), then wait for the last reply; again, for {@code nanos}.
     */
    private static Rate batches(AsyncSet set, Runnable flush, long nanos) throws Exception {
        long start = System.nanoTime();
        long end = start + nanos;
        long replies = 0;
        int next = 0;
        while (System.nanoTime() < end) {
            CompletionStage<?> last = null;
            for (int i = 0; i < IN_FLIGHT; i++) {
                last = set.set(KEY_NAMES[next]);
                next = (next + 1) % KEYS;
            }
            flush.run();
            last.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            replies += IN_FLIGHT;
        }
        return Rate.of(replies, start);
    }

    /** PINGs one at a time from this thread for {@code nanos}: each one's round trip, in nanoseconds. */
    private static Histogram pingPong(Supplier<CompletionStage<?>> ping, long nanos) throws Exception {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long end = System.nanoTime() + nanos;
        long now;
        do {
            long sent = System.nanoTime();
            ping.get().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            now = System.nanoTime();
            latency.recordValue(Math.min(now - sent, latency.getHighestTrackableValue()));
        } while (now < end);
        return latency;
    }

    private static List<String> rotated(List<String> names, int round) {
        java.util.Collections.rotate(names, round);
        return names;
    }

    private static final String SET_RATE = "pipelined SET/s";
    private static final String SET_CPU = "µs CPU per SET";
    private static final String SERVER_SET_CPU = "µs redis-server CPU per SET";
    private static final String PING_P50 = "PING p50 µs";
    private static final String PING_P99 = "PING p99 µs";
    private static final String PING_CPU = "µs CPU per PING";

    /** Per figure and contender, one value per round. */
    private static final class Results {
        private final Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();

        void add(String figure, String contender, double value) {
            figures.computeIfAbsent(figure, f -> new LinkedHashMap<>()).computeIfAbsent(contender, c -> new ArrayList<>()).add(value);
        }

        void print() {
            System.out.println("summary (median, min-max over the rounds):");
            figures.forEach((figure, byContender) -> byContender.forEach((contender, values) ->
                    System.out.printf("  %s, %s: %s%n", figure, contender, spread(values, "%,.2f"))));
            System.out.println("ratios, this client to Lettuce, per round (median, min-max):");
            ratio("pipelined SET/s, to Lettuce (goal >= 1.5)", SET_RATE, OURS, LETTUCE);
            ratio("pipelined SET/s, to Lettuce manual flush (goal >= 1.0)", SET_RATE, OURS, LETTUCE_MANUAL);
            ratio("pipelined SET/s in batches, to Lettuce manual flush", SET_RATE, OURS_BATCHES, LETTUCE_MANUAL);
            ratio("PING p50 latency, to Lettuce (goal <= 1.05)", PING_P50, OURS, LETTUCE);
            ratio("PING p99 latency, to Lettuce (goal <= 1.05)", PING_P99, OURS, LETTUCE);
            ratio("CPU per SET, Lettuce to this client (above 1: this client spends less)", SET_CPU, LETTUCE, OURS);
            ratio("CPU per SET, Lettuce manual flush to this client", SET_CPU, LETTUCE_MANUAL, OURS);
            ratio("CPU per SET in batches, Lettuce manual flush to this client", SET_CPU, LETTUCE_MANUAL, OURS_BATCHES);
            ratio("redis-server CPU per SET, Lettuce manual flush to this client", SERVER_SET_CPU, LETTUCE_MANUAL, OURS);
            ratio("redis-server CPU per SET in batches, Lettuce manual flush to this client", SERVER_SET_CPU, LETTUCE_MANUAL, OURS_BATCHES);
            ratio("CPU per PING, Lettuce to this client", PING_CPU, LETTUCE, OURS);
        }

        private void ratio(String what, String figure, String over, String under) {
            List<Double> top = figures.get(figure).get(over);
            List<Double> bottom = figures.get(figure).get(under);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < top.size(); i++) {
                ratios.add(top.get(i) / bottom.get(i));
            }
            System.out.printf("  %s: %s%n", what, spread(ratios, "%.2f"));
        }

        private static String spread(List<Double> values, String format) {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            return String.format(format + " (" + format + "-" + format + ")", median, sorted[0], sorted[sorted.length - 1]);
        }
    }
}
