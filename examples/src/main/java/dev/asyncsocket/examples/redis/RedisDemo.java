package dev.asyncsocket.examples.redis;

import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Redis client against a {@code redis-server} started for the run (127.0.0.1, a free port, no persistence):
 * pipelined SETs then GETs of random values (1,000 in flight, every reply checked), one MGET, pub/sub messages
 * through a second connection, and a {@code CLIENT KILL} that the {@link RedisClient} comes back from. It prints a
 * progress line while it runs and a summary at the end; it exits 0 when every check passed, 1 when one failed, 2
 * when {@code redis-server} is not installed or the transport is not available.
 *
 * <p>Usage: {@code RedisDemo [NIO|EPOLL|IO_URING] [commands]}; default: the best transport, 100,000 commands.
 */
public final class RedisDemo {

    private static final long WAIT_SECONDS = 30;
    private static final int IN_FLIGHT = 1000;
    private static final int MAX_VALUE = 1024;
    private static final long PROGRESS_EVERY_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private RedisDemo() {
    }

    public static void main(String[] arguments) throws Exception {
        // Maven's demo profile passes -Dexample.args as one argument: split it.
        String[] args = String.join(" ", arguments).trim().split("\\s+");
        NettyTransport transport = !args[0].isEmpty() ? NettyTransport.valueOf(args[0].toUpperCase()) : NettyTransport.best();
        int commands = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        if (!transport.isAvailable()) {
            System.err.println(transport + " is not available here");
            System.exit(2);
        }
        if (ServerProcess.find(RedisServers.EXECUTABLE).isEmpty()) {
            System.err.println("redis-server is not installed: the demo needs it (Debian: apt-get install -y "
                    + RedisServers.DEBIAN_PACKAGE + ")");
            System.exit(2);
        }
        Summary summary;
        try (ServerProcess server = RedisServers.start()) {
            summary = run(transport, server.port(), commands, System.out);
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
            return;
        }
        System.exit(summary.passed() ? 0 : 1);
    }

    /**
     * What one run did.
     *
     * @param problems what went wrong (a reply that differs, a message missing), empty when all went well
     */
    public record Summary(int commands, double setsPerSecond, double getsPerSecond, int mgetKeys, int messages,
                         int reconnects, List<String> problems) {

        public boolean passed() {
            return problems.isEmpty();
        }
    }

    /** Runs the demo against the server on 127.0.0.1:{@code port}, printing to {@code out}. */
    public static Summary run(NettyTransport transport, int port, int commands, PrintStream out) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        if (engine == null) {
            throw new IllegalArgumentException(transport + " is not available here");
        }
        List<String> problems = new ArrayList<>();
        try (RedisClient client = RedisClient.start(engine, "127.0.0.1", port, IN_FLIGHT);
             RedisConnection subscriber = RedisConnection.connect(engine, "127.0.0.1", port).get(WAIT_SECONDS, TimeUnit.SECONDS)) {
            RedisConnection connection = client.connection().get(WAIT_SECONDS, TimeUnit.SECONDS);
            out.printf("connected to redis-server on 127.0.0.1:%d over %s; %d commands, up to %d in flight%n",
                    port, transport, commands, IN_FLIGHT);

            double sets = pipelined("SET", commands, out, problems, i -> connection.set(key(i), value(i)),
                    (i, reply) -> "OK".equals(reply));
            double gets = pipelined("GET", commands, out, problems, i -> connection.get(key(i)),
                    (i, reply) -> Arrays.equals(value(i), (byte[]) reply));

            int mgetKeys = Math.min(commands, 1000);
            Object[] keys = new Object[mgetKeys];
            Arrays.setAll(keys, RedisDemo::key);
            List<Object> values = connection.mget(keys).get(WAIT_SECONDS, TimeUnit.SECONDS);
            for (int i = 0; i < mgetKeys; i++) {
                if (!Arrays.equals(value(i), (byte[]) values.get(i))) {
                    problems.add("MGET: value " + i + " differs");
                }
            }
            out.printf("MGET of %d keys: %d values, checked%n", mgetKeys, values.size());

            int messages = Math.min(commands, 10_000);
            pubSub(subscriber, connection, messages, out, problems);

            out.println("CLIENT KILL of the connection from the server's side...");
            long id = (Long) connection.command("CLIENT", "ID").get(WAIT_SECONDS, TimeUnit.SECONDS);
            try (RedisConnection admin = RedisConnection.connect(engine, "127.0.0.1", port).get(WAIT_SECONDS, TimeUnit.SECONDS)) {
                admin.command("CLIENT", "KILL", "ID", Long.toString(id)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            RedisConnectionException end = connection.ended().get(WAIT_SECONDS, TimeUnit.SECONDS);
            RedisConnection again = client.connection().get(WAIT_SECONDS, TimeUnit.SECONDS);
            Object pong = again.command("PING").get(WAIT_SECONDS, TimeUnit.SECONDS);
            out.printf("the connection ended: %s; the client connected again: PING -> %s%n", end.getMessage(), pong);
            if (!"PONG".equals(pong)) {
                problems.add("PING after the reconnect answered " + pong);
            }

            Summary summary = new Summary(commands, sets, gets, mgetKeys, messages, client.reconnects(), List.copyOf(problems));
            print(summary, out);
            return summary;
        } finally {
            engine.decRef();
        }
    }

    /** One reply, checked. */
    @FunctionalInterface
    private interface Check {
        boolean passes(int index, Object reply);
    }

    /** Command {@code index}, issued. */
    @FunctionalInterface
    private interface Issue {
        CompletableFuture<?> command(int index);
    }

    /** Runs {@code count} commands, {@link #IN_FLIGHT} at a time, printing progress; returns commands per second. */
    private static double pipelined(String name, int count, PrintStream out, List<String> problems, Issue issue, Check check)
            throws InterruptedException, TimeoutException {
        CommandWindow window = new CommandWindow(IN_FLIGHT, WAIT_SECONDS);
        long start = System.nanoTime();
        long nextProgress = start + PROGRESS_EVERY_NS;
        for (int i = 0; i < count; i++) {
            int index = i;
            window.send(() -> issue.command(index), reply -> check.passes(index, reply) ? null : name + " " + index + " differs");
            if (System.nanoTime() >= nextProgress) {
                out.printf("  %s: %,d of %,d answered%n", name, window.answered(), count);
                nextProgress += PROGRESS_EVERY_NS;
            }
        }
        problems.addAll(window.awaitAll());
        double perSecond = count / ((System.nanoTime() - start) / 1e9);
        out.printf("%s: %,d commands, %,.0f per second, every reply checked%n", name, count, perSecond);
        return perSecond;
    }

    private static void pubSub(RedisConnection subscriber, RedisConnection publisher, int messages, PrintStream out,
                               List<String> problems) throws Exception {
        byte[] channel = "demo-channel".getBytes(StandardCharsets.UTF_8);
        List<byte[]> received = new ArrayList<>(messages);
        CountDownLatch all = new CountDownLatch(messages);
        subscriber.subscribe((from, message) -> {
            received.add(message);
            all.countDown();
        }, channel).get(WAIT_SECONDS, TimeUnit.SECONDS);
        CommandWindow window = new CommandWindow(IN_FLIGHT, WAIT_SECONDS);
        for (int i = 0; i < messages; i++) {
            byte[] message = value(i);
            window.send(() -> publisher.publish(channel, message), reply -> Long.valueOf(1).equals(reply) ? null : "PUBLISH reached " + reply);
        }
        problems.addAll(window.awaitAll());
        if (!all.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            problems.add(all.getCount() + " messages never arrived");
            return;
        }
        for (int i = 0; i < messages; i++) {
            if (!Arrays.equals(value(i), received.get(i))) {
                problems.add("message " + i + " differs");
            }
        }
        out.printf("pub/sub: %,d messages published and received in order, intact%n", messages);
    }

    private static void print(Summary summary, PrintStream out) {
        out.printf("summary: %,d SET at %,.0f/s, %,d GET at %,.0f/s, MGET of %d keys, %,d messages, %d reconnect(s)%n",
                summary.commands(), summary.setsPerSecond(), summary.commands(), summary.getsPerSecond(),
                summary.mgetKeys(), summary.messages(), summary.reconnects());
        if (summary.passed()) {
            out.println("PASS: every reply and message checked");
        } else {
            out.println("FAIL: " + summary.problems().size() + " problem(s), first: " + summary.problems().get(0));
        }
    }

    private static String key(int index) {
        return "demo:" + index;
    }

    /** Value {@code index}: 0 to 1 KiB of seeded random bytes. */
    private static byte[] value(int index) {
        Random random = new Random(index);
        byte[] value = new byte[random.nextInt(MAX_VALUE + 1)];
        random.nextBytes(value);
        return value;
    }
}
