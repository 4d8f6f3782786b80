package dev.asyncsocket.examples.redis;

import dev.asyncsocket.examples.servers.InstalledServer;
import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} for a test class (started in {@code @BeforeAll}, closed in {@code @AfterAll}), and
 * {@link Session}s of connections to it on an engine of a given transport.
 */
final class RedisUnderTest implements AutoCloseable {

    static final long WAIT_SECONDS = 30;

    private final ServerProcess server;

    private RedisUnderTest(ServerProcess server) {
        this.server = server;
    }

    /** Skips the test class where redis-server is not installed, fails it under CI=true. */
    static RedisUnderTest start() throws IOException {
        return new RedisUnderTest(InstalledServer.start(RedisServers.EXECUTABLE, RedisServers.DEBIAN_PACKAGE, RedisServers.ARGUMENTS));
    }

    int port() {
        return server.port();
    }

    /** An engine of {@code transport} (2 loops), closed with the connections it made. */
    Session session(NettyTransport transport) {
        return new Session(NettyExecutionEngine.create(transport, 2));
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return server.toString();
    }

    /** Connections on one engine; closing it closes them, then releases the engine. */
    final class Session implements AutoCloseable {
        final NettyExecutionEngine engine;
        private final List<AutoCloseable> made = new ArrayList<>();

        private Session(NettyExecutionEngine engine) {
            this.engine = engine;
        }

        RedisConnection connect() throws Exception {
            return connect(RedisConnection.DEFAULT_MAX_IN_FLIGHT);
        }

        RedisConnection connect(int maxInFlight) throws Exception {
            RedisConnection connection = RedisConnection.connect(engine, "127.0.0.1", port(), maxInFlight, end -> { })
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            made.add(connection);
            return connection;
        }

        RedisClient client() {
            RedisClient client = RedisClient.start(engine, "127.0.0.1", port(), RedisConnection.DEFAULT_MAX_IN_FLIGHT);
            made.add(client);
            return client;
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable connection : made) {
                connection.close();
            }
            engine.decRef();
        }
    }
}
