package dev.asyncsocket.examples.redis;

import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a real redis-server: pipelined commands, large values, arrays, errors, pub/sub. */
@DisplayName("A Redis connection, against redis-server,")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisConnectionTest {

    private static final int IN_FLIGHT = 1000;
    @RegisterExtension
    static final RedisUnderTest redis = new RedisUnderTest();

    @DisplayName("stores and reads back 20,000 random binary values from 0 B to 64 KiB, 1,000 in flight")
    @EachTransport
    void storesAndReadsBack20000RandomBinaryValues(NettyTransport transport) throws Exception {
        int count = 20_000;
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connect();
            assertEquals(List.of(), CommandWindow.runAll(count, IN_FLIGHT, RedisUnderTest.WAIT_SECONDS,
                    i -> connection.set(key("value", i), asArgument(i, value(i))),
                    (i, reply) -> "OK".equals(reply) ? null : "SET " + i + " answered " + reply));
            assertEquals(List.of(), CommandWindow.runAll(count, IN_FLIGHT, RedisUnderTest.WAIT_SECONDS,
                    i -> connection.get(key("value", i)),
                    (i, reply) -> Arrays.equals(value(i), (byte[]) reply) ? null : "GET " + i + " differs"));
            assertEquals(0, connection.inFlight());
        }
    }

    @DisplayName("stores and reads back a 16 MiB value")
    @EachTransport
    void storesAndReadsBackA16MibValue(NettyTransport transport) throws Exception {
        byte[] value = Bytes.random(16 * 1024 * 1024, 16);
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connect();
            assertEquals("OK", await(connection.set("sixteen", Bytes.direct(value))));
            assertArrayEquals(value, await(connection.get("sixteen")));
            assertEquals(1L, await(connection.command("DEL", "sixteen")));
        }
    }

    @DisplayName("reads 1,000 keys with one MGET, nil where a key is missing")
    @EachTransport
    void reads1000KeysWithOneMget(NettyTransport transport) throws Exception {
        int keys = 1000;
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connect();
            Object[] names = new Object[keys];
            List<CompletableFuture<Object>> sets = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                names[i] = key("mget", i);
                sets.add(i % 10 == 9 ? connection.command("DEL", names[i]) : connection.set(names[i], value(i)));
            }
            CompletableFuture.allOf(sets.toArray(CompletableFuture[]::new)).get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);

            List<Object> values = await(connection.mget(names));

            assertEquals(keys, values.size());
            for (int i = 0; i < keys; i++) {
                if (i % 10 == 9) {
                    assertNull(values.get(i), "key " + i + " is missing");
                } else {
                    assertArrayEquals(value(i), (byte[]) values.get(i), "key " + i);
                }
            }
        }
    }

    @DisplayName("delivers 10,000 published messages to a subscriber, in order and intact")
    @EachTransport
    void delivers10000PublishedMessagesInOrderAndIntact(NettyTransport transport) throws Exception {
        int count = 10_000;
        byte[] channel = ("news-" + transport).getBytes(StandardCharsets.UTF_8);
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection subscriber = session.connect();
            RedisConnection publisher = session.connect();
            List<byte[]> received = new ArrayList<>(count);
            List<String> wrongChannel = new ArrayList<>();
            CountDownLatch all = new CountDownLatch(count);
            await(subscriber.subscribe((from, message) -> { // one event loop: one thread at a time
                if (!Arrays.equals(channel, from)) {
                    wrongChannel.add(new String(from, StandardCharsets.UTF_8));
                }
                received.add(message);
                all.countDown();
            }, channel));

            assertEquals(List.of(), CommandWindow.runAll(count, IN_FLIGHT, RedisUnderTest.WAIT_SECONDS,
                    i -> publisher.publish(channel, message(i)),
                    (i, reply) -> Long.valueOf(1).equals(reply) ? null : "PUBLISH reached " + reply + " subscribers"));

            assertTrue(all.await(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS), all.getCount() + " messages missing");
            assertEquals(List.of(), wrongChannel); // the latch's count-down made the lists' writes visible
            assertEquals(count, received.size());
            for (int i = 0; i < count; i++) {
                assertArrayEquals(message(i), received.get(i), "message " + i);
            }
            assertEquals("PONG", await(publisher.command("PING")));
        }
    }

    @DisplayName("fails a command the server refuses with its error, and goes on; an error inside an array is a value")
    @EachTransport
    void failsARefusedCommandWithItsErrorAndGoesOn(NettyTransport transport) throws Exception {
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connect();
            String key = key("text", 0);
            await(connection.set(key, "not a number"));

            ExecutionException refused = assertFailsWith(connection.command("INCR", key));
            RedisServerException error = assertInstanceOf(RedisServerException.class, refused.getCause());
            assertTrue(error.getMessage().startsWith("ERR value is not an integer"), error.getMessage());

            // EXEC answers an array with one reply per queued command, errors included.
            await(connection.command("MULTI"));
            await(connection.command("SET", key, "5"));
            await(connection.command("LPUSH", key, "x"));
            await(connection.command("INCR", key));
            List<?> replies = (List<?>) await(connection.command("EXEC"));
            assertEquals("OK", replies.get(0));
            ErrorReply wrongType = assertInstanceOf(ErrorReply.class, replies.get(1));
            assertTrue(wrongType.message().startsWith("WRONGTYPE"), wrongType.message());
            assertEquals(6L, replies.get(2));
            assertEquals("PONG", await(connection.command("PING")));
        }
    }

    @DisplayName("refuses a command at once when its bound of commands in flight is reached")
    @EachTransport
    void refusesACommandAtOnceWhenItsBoundIsReached(NettyTransport transport) throws Exception {
        int bound = 10;
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connect(bound);
            List<CompletableFuture<Object>> waiting = new ArrayList<>();
            waiting.add(connection.command("BLPOP", key("never", 0), "0")); // blocks: the ones after it wait too
            for (int i = 1; i < bound; i++) {
                waiting.add(connection.command("PING"));
            }

            ExecutionException refused = assertFailsWith(connection.command("PING"));
            assertInstanceOf(RejectedExecutionException.class, refused.getCause());
            assertEquals(bound, connection.inFlight());

            connection.close();
            for (CompletableFuture<Object> command : waiting) {
                RedisConnectionException ended = assertInstanceOf(RedisConnectionException.class, assertFailsWith(command).getCause());
                assertTrue(ended.getMessage().contains("closed by the client"), ended.getMessage());
            }
            assertEquals(0, connection.inFlight());
        }
    }

    /** The test's own key, so that transports and tests never meet. */
    private static String key(String test, int index) {
        return "test:" + test + ":" + index;
    }

    /** Value {@code index}: seeded random bytes, 0 B to 64 KiB, sizes spread evenly over their powers of two. */
    static byte[] value(int index) {
        Random random = new Random(1_000_003L * index + 17);
        int size = index == 0 ? 0 : index == 1 ? 64 * 1024 : (int) Math.pow(2, random.nextDouble() * 16) - 1;
        byte[] value = new byte[size];
        random.nextBytes(value);
        return value;
    }

    /** Every other value as a heap buffer, whose position is not 0, rather than an array. */
    private static Object asArgument(int index, byte[] value) {
        if (index % 2 == 0) {
            return value;
        }
        byte[] padded = new byte[value.length + 3];
        System.arraycopy(value, 0, padded, 3, value.length);
        return ByteBuffer.wrap(padded, 3, value.length);
    }

    private static byte[] message(int index) {
        byte[] payload = Bytes.random(index % 1024, index);
        return (index + ":" + new String(payload, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
    }

    static <T> T await(CompletableFuture<T> reply) throws Exception {
        return reply.get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static ExecutionException assertFailsWith(CompletableFuture<?> reply) throws Exception {
        try {
            reply.get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException expected) {
            return expected;
        }
        throw new AssertionError("the command succeeded: " + reply);
    }
}
