package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.InstalledServer;
import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A test's MQTT clients on one engine of one transport, connected to one broker; closing it closes them and
 * releases the engine.
 */
final class Clients implements AutoCloseable {

    /** For clients that subscribe to nothing. */
    static final MessageListener NO_MESSAGES = (topic, payload, qos) -> {
        throw new AssertionError("no message expected, got one on " + topic);
    };

    private final NettyTransport transport;
    private final NettyExecutionEngine engine;
    private final ServerProcess broker;
    private final List<MqttClient> clients = new ArrayList<>();

    private Clients(NettyTransport transport, ServerProcess broker) {
        this.transport = transport;
        this.engine = NettyExecutionEngine.create(transport, 1);
        assertNotNull(engine, transport + " engine");
        this.broker = broker;
    }

    /** A mosquitto for the test (skipped where not installed, failed under CI=true). */
    static ServerProcess startBroker() throws IOException {
        return InstalledServer.start(Mosquitto.EXECUTABLE, Mosquitto.DEBIAN_PACKAGE, Mosquitto.ARGUMENTS);
    }

    static Clients on(NettyTransport transport, ServerProcess broker) {
        return new Clients(transport, broker);
    }

    /** Options with a client identifier unique to this transport. */
    MqttOptions options(String name) {
        return MqttOptions.defaults(name + "-" + transport.name().toLowerCase());
    }

    MqttClient connect(String name, MessageListener listener) throws Exception {
        return connect(options(name), listener);
    }

    MqttClient connect(MqttOptions options, MessageListener listener) throws Exception {
        return connectAsync(options, listener).get(15, TimeUnit.SECONDS);
    }

    CompletableFuture<MqttClient> connectAsync(MqttOptions options, MessageListener listener) {
        CompletableFuture<MqttClient> connecting = MqttClient.connect(engine, "127.0.0.1", broker.port(), options, listener);
        connecting.thenAccept(client -> {
            synchronized (clients) {
                clients.add(client);
            }
        });
        return connecting;
    }

    /** The exception {@code operation} failed with: it must have completed, exceptionally. */
    static Throwable failureOf(CompletableFuture<?> operation) {
        assertTrue(operation.isCompletedExceptionally(), () -> "not failed: " + operation);
        return operation.handle((result, failure) -> failure).join();
    }

    /** The exception {@code operation} fails with, waiting up to 10 s for it. */
    static Throwable awaitFailure(CompletableFuture<?> operation) {
        try {
            operation.handle((result, failure) -> null).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no completion: " + operation, e);
        }
        return failureOf(operation);
    }

    NettyExecutionEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(MqttClient::close);
        }
        engine.decRef();
    }
}
