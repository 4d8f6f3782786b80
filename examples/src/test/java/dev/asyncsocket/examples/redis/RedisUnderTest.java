package dev.asyncsocket.examples.redis;

import dev.asyncsocket.examples.servers.InstalledServer;
import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} for a test class: a static field with {@code @RegisterExtension} starts it before the
 * class's first test (skipping the class where it is not installed, failing it under {@code CI=true}) and stops it
 * after the last. {@link Session}s hold connections to it on an engine of a given transport.
 */
final class RedisUnderTest implements BeforeAllCallback, AfterAllCallback {

    static final long WAIT_SECONDS = 30;

    private ServerProcess server;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        server = InstalledServer.start(RedisServers.EXECUTABLE, RedisServers.DEBIAN_PACKAGE, RedisServers.ARGUMENTS);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    int port() {
        return server.port();
    }

    /** An engine of {@code transport} (2 loops), closed with the connections it made. */
    Session session(NettyTransport transport) {
        return new Session(NettyExecutionEngine.create(transport, 2));
    }

    @Override
    public String toString() {
        return server.toString();
    }

    /** Connections on one engine; closing it closes them, then releases the engine. */
    final class Session implements AutoCloseable {
        final NettyExecutionEngine engine;
        private final List<Runnable> closers = new ArrayList<>();

        private Session(NettyExecutionEngine engine) {
            this.engine = engine;
        }

        RedisConnection connect() throws Exception {
            return connect(RedisConnection.DEFAULT_MAX_IN_FLIGHT);
        }

        RedisConnection connect(int maxInFlight) throws Exception {
            return connectTo(port(), maxInFlight);
        }

        /** A connection to another server, on 127.0.0.1:{@code port}. */
        RedisConnection connectTo(int port, int maxInFlight) throws Exception {
            RedisConnection connection = RedisConnection.connect(engine, "127.0.0.1", port, maxInFlight, end -> { })
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            closers.add(connection::close);
            return connection;
        }

        RedisClient client() {
            RedisClient client = RedisClient.start(engine, "127.0.0.1", port(), RedisConnection.DEFAULT_MAX_IN_FLIGHT);
            closers.add(client::close);
            return client;
        }

        @Override
        public void close() {
            closers.forEach(Runnable::run);
            engine.decRef();
        }
    }
}
