package dev.asyncsocket.examples.redis;

import dev.asyncsocket.netty.FailureKind;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static dev.asyncsocket.examples.redis.RedisConnectionTest.assertFailsWith;
import static dev.asyncsocket.examples.redis.RedisConnectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection that ends under pending commands: killed by the server ({@code CLIENT KILL}) in the middle of a
 * pipeline, or fed bytes that are not RESP2. Every pending command fails exactly once, with the cause; nothing
 * hangs; a {@link RedisClient} connects again.
 */
@DisplayName("A Redis connection that ends")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisConnectionEndTest {

    private static final Set<FailureKind> SERVER_ENDED = Set.of(FailureKind.END_OF_STREAM, FailureKind.CONNECTION_LOST);
    @RegisterExtension
    static final RedisUnderTest redis = new RedisUnderTest();

    @DisplayName("killed by the server mid-pipeline fails every pending command exactly once, with the socket's failure")
    @EachTransport
    void killedMidPipelineFailsEveryPendingCommandExactlyOnce(NettyTransport transport) throws Exception {
        int answered = 200;
        int blocked = 800;
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection victim = session.connect();
            RedisConnection admin = session.connect();
            long id = (Long) await(victim.command("CLIENT", "ID"));

            // 200 SETs the server answers, then a BLPOP that blocks it, and 799 small commands queued behind it
            // (small, so that all are sent, and the server has read them, before the kill).
            List<CompletableFuture<Object>> commands = new ArrayList<>();
            for (int i = 0; i < answered; i++) {
                commands.add(victim.set("end:" + i, RedisConnectionTest.value(i)));
            }
            commands.add(victim.command("BLPOP", "end:never-filled-" + transport, "0"));
            for (int i = 1; i < blocked; i++) {
                commands.add(i % 2 == 0 ? victim.command("GET", "end:" + i) : victim.set("end:" + i, "small " + i));
            }
            AtomicIntegerArray completions = new AtomicIntegerArray(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                int index = i;
                commands.get(i).whenComplete((reply, failed) -> completions.incrementAndGet(index));
            }
            awaitBlocked(admin, id);
            CompletableFuture.allOf(commands.subList(0, answered).toArray(CompletableFuture[]::new))
                    .get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(blocked, victim.inFlight(), "the BLPOP and the commands behind it wait");

            assertEquals(1L, await(admin.command("CLIENT", "KILL", "ID", Long.toString(id))));

            CompletableFuture.allOf(commands.stream().map(c -> c.exceptionally(failed -> null))
                    .toArray(CompletableFuture[]::new)).get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);
            RedisConnectionException end = await(victim.ended());
            assertNotNull(end.failure(), "the socket said why: " + end);
            assertTrue(SERVER_ENDED.contains(end.failure().kind()), "the server ended it: " + end.failure());
            for (int i = 0; i < commands.size(); i++) {
                assertEquals(1, completions.get(i), "command " + i + " completed once");
                if (i < answered) {
                    assertEquals("OK", commands.get(i).join(), "command " + i + " was answered before the kill");
                } else {
                    assertSame(end, assertFailsWith(commands.get(i)).getCause(), "command " + i + " failed with the end");
                }
            }
            assertEquals(0, victim.inFlight());
            assertSame(end, assertFailsWith(victim.command("PING")).getCause(), "a command after the end fails at once");
            assertEquals("PONG", await(admin.command("PING")), "the other connection goes on");
        }
    }

    @DisplayName("killed by the server is replaced: the client connects again, and commands work on the new connection")
    @EachTransport
    void killedByTheServerIsReplaced(NettyTransport transport) throws Exception {
        try (RedisUnderTest.Session session = redis.session(transport)) {
            RedisClient client = session.client();
            RedisConnection admin = session.connect();
            RedisConnection first = client.connection().get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);
            long firstId = (Long) await(client.command("CLIENT", "ID"));
            CompletableFuture<Object> blocked = client.command("BLPOP", "reconnect:never-filled-" + transport, "0");
            awaitBlocked(admin, firstId);

            await(admin.command("CLIENT", "KILL", "ID", Long.toString(firstId)));

            RedisConnectionException end = assertInstanceOf(RedisConnectionException.class, assertFailsWith(blocked).getCause());
            assertTrue(SERVER_ENDED.contains(end.failure().kind()), "the server ended it: " + end.failure());
            RedisConnection second = client.connection().get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotEquals(first, second);
            assertNotEquals(firstId, await(client.command("CLIENT", "ID")), "a new connection");
            assertEquals("OK", await(client.command("SET", "reconnect:" + transport, "back")));
            assertEquals("back", new String((byte[]) await(client.command("GET", "reconnect:" + transport)), StandardCharsets.UTF_8));
            assertEquals(1, client.reconnects());
        }
    }

    @DisplayName("fed bytes that are not RESP2 fails its pending commands with the parser's cause")
    @EachTransport
    void fedBytesThatAreNotResp2FailsItsPendingCommands(NettyTransport transport) throws Exception {
        // A server that answers the first command well and the second with garbage.
        try (ScriptedServer server = new ScriptedServer("+OK\r\n:12x\r\n");
             RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connectTo(server.port(), RedisConnection.DEFAULT_MAX_IN_FLIGHT);
            CompletableFuture<Object> good = connection.command("SET", "a", "1");
            CompletableFuture<Object> bad = connection.command("INCR", "a");
            CompletableFuture<Object> after = connection.command("PING");

            assertEquals("OK", await(good));
            RedisConnectionException end = assertInstanceOf(RedisConnectionException.class, assertFailsWith(bad).getCause());
            RedisProtocolException cause = assertInstanceOf(RedisProtocolException.class, end.getCause());
            assertTrue(cause.getMessage().contains("not an integer: \"12x\""), cause.getMessage());
            assertSame(end, assertFailsWith(after).getCause());
            assertSame(end, await(connection.ended()));
        }
    }

    @DisplayName("sent a reply no command asked for ends, saying so")
    @EachTransport
    void sentAReplyNoCommandAskedForEnds(NettyTransport transport) throws Exception {
        try (ScriptedServer server = new ScriptedServer("+HELLO\r\n");
             RedisUnderTest.Session session = redis.session(transport)) {
            RedisConnection connection = session.connectTo(server.port(), RedisConnection.DEFAULT_MAX_IN_FLIGHT);
            server.greet();

            RedisConnectionException end = await(connection.ended());
            assertTrue(end.getMessage().contains("no command waiting"), end.getMessage());
            assertInstanceOf(RedisProtocolException.class, end.getCause());
        }
    }

    /** Waits until the server shows the client {@code id} blocked in a BLPOP. */
    private static void awaitBlocked(RedisConnection admin, long id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RedisUnderTest.WAIT_SECONDS);
        while (true) {
            String clients = new String((byte[]) await(admin.command("CLIENT", "LIST", "ID", Long.toString(id))), StandardCharsets.UTF_8);
            if (clients.contains("cmd=blpop")) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the client never blocked: " + clients);
            Thread.onSpinWait();
        }
    }

    /**
     * A one-connection server that writes a fixed script of bytes: on {@link #greet()}, or once a command arrived.
     */
    private static final class ScriptedServer implements AutoCloseable {
        private final ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final CompletableFuture<Socket> accepted = new CompletableFuture<>();
        private final byte[] script;

        ScriptedServer(String script) throws IOException {
            this.script = script.getBytes(StandardCharsets.US_ASCII);
            Thread acceptor = new Thread(this::serve, "scripted-redis");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listening.getLocalPort();
        }

        void greet() throws Exception {
            accepted.get(RedisUnderTest.WAIT_SECONDS, TimeUnit.SECONDS).getOutputStream().write(script);
        }

        private void serve() {
            try {
                Socket socket = listening.accept();
                accepted.complete(socket);
                InputStream in = socket.getInputStream();
                if (in.read() >= 0) { // a command began to arrive: answer with the script
                    socket.getOutputStream().write(script);
                }
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        }

        @Override
        public void close() throws IOException {
            listening.close();
            if (accepted.isDone() && !accepted.isCompletedExceptionally()) {
                accepted.join().close();
            }
        }
    }
}
