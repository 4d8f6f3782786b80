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
 *       commands then one {@code flushCommands()}, its fastest setting;</li>
 *   <li>{@code PING} ping-pong from one caller thread, one at a time: p50 and p99 latency.</li>
 * </ul>
 * Rounds are interleaved (each round runs every contender once, in an order that rotates) after one warm-up
 * round; the summary gives each ratio's median and the min–max of its per-round values. Both clients run on
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
            run(server.port(), rounds, seconds, transport);
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

    private static void run(int port, int rounds, int seconds, NettyTransport transport) throws Exception {
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
            throughput.put(LETTUCE_MANUAL, () -> batches(manualAsync, lettuceManual, nanos));
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
                    double opsPerSecond = throughput.get(name).opsPerSecond();
                    line.append(String.format(" %s %,.0f SET/s;", name, opsPerSecond));
                    if (!warmUp) {
                        results.throughput(name).add(opsPerSecond);
                    }
                }
                for (String name : rotated(new ArrayList<>(pings.keySet()), round)) {
                    Histogram latency = pingPong(pings.get(name), nanos);
                    line.append(String.format(" %s PING p50 %.1f µs p99 %.1f µs;", name,
                            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3));
                    if (!warmUp) {
                        results.p50(name).add(latency.getValueAtPercentile(50) / 1e3);
                        results.p99(name).add(latency.getValueAtPercentile(99) / 1e3);
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
        double opsPerSecond() throws Exception;
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
    private static double window(AsyncSet set, long nanos) throws Exception {
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
        return replies.get() / ((Math.max(end, start) - start) / 1e9);
    }

    /** Lettuce with auto-flush off: {@link #IN_FLIGHT} SETs, one flush, wait for the last reply; again. */
    private static double batches(RedisAsyncCommands<byte[], byte[]> async, StatefulRedisConnection<byte[], byte[]> connection,
                                  long nanos) throws Exception {
        long start = System.nanoTime();
        long end = start + nanos;
        long replies = 0;
        int next = 0;
        while (System.nanoTime() < end) {
            CompletionStage<?> last = null;
            for (int i = 0; i < IN_FLIGHT; i++) {
                last = async.set(KEY_NAMES[next], VALUE);
                next = (next + 1) % KEYS;
            }
            connection.flushCommands();
            last.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            replies += IN_FLIGHT;
        }
        return replies / ((System.nanoTime() - start) / 1e9);
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

    /** Per contender, one figure per round. */
    private static final class Results {
        private final Map<String, List<Double>> throughput = new LinkedHashMap<>();
        private final Map<String, List<Double>> p50 = new LinkedHashMap<>();
        private final Map<String, List<Double>> p99 = new LinkedHashMap<>();

        List<Double> throughput(String name) {
            return throughput.computeIfAbsent(name, n -> new ArrayList<>());
        }

        List<Double> p50(String name) {
            return p50.computeIfAbsent(name, n -> new ArrayList<>());
        }

        List<Double> p99(String name) {
            return p99.computeIfAbsent(name, n -> new ArrayList<>());
        }

        void print() {
            System.out.println("summary (median, min-max over the rounds):");
            throughput.forEach((name, values) -> System.out.printf("  pipelined SET, %s: %s SET/s%n", name, spread(values, "%,.0f")));
            p50.forEach((name, values) -> System.out.printf("  PING %s: p50 %s µs, p99 %s µs%n", name,
                    spread(values, "%.1f"), spread(p99.get(name), "%.1f")));
            System.out.println("ratios, this client over Lettuce, per round (median, min-max):");
            ratio("pipelined SET vs Lettuce (goal >= 1.5)", throughput.get(OURS), throughput.get(LETTUCE));
            ratio("pipelined SET vs Lettuce manual flush (goal >= 1.0)", throughput.get(OURS), throughput.get(LETTUCE_MANUAL));
            ratio("PING p50 latency vs Lettuce (goal <= 1.05)", p50.get(OURS), p50.get(LETTUCE));
            ratio("PING p99 latency vs Lettuce (goal <= 1.05)", p99.get(OURS), p99.get(LETTUCE));
        }

        private static void ratio(String what, List<Double> ours, List<Double> theirs) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < ours.size(); i++) {
                ratios.add(ours.get(i) / theirs.get(i));
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
