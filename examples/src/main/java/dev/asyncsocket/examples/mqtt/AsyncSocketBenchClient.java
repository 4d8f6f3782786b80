package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.netty.NettyExecutionEngine;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The example {@link MqttClient} as a {@link BenchClient}: its own engine of one event loop. */
final class AsyncSocketBenchClient implements BenchClient {

    private final NettyExecutionEngine engine;
    private final MqttClient client;
    private ByteBuffer payload;

    private AsyncSocketBenchClient(NettyExecutionEngine engine, MqttClient client) {
        this.engine = engine;
        this.client = client;
    }

    static AsyncSocketBenchClient connect(NettyExecutionEngine engine, int port, String clientId, int maxInFlight)
            throws Exception {
        MqttOptions options = MqttOptions.defaults(clientId).withMaxInFlight(maxInFlight);
        MqttClient client = MqttClient.connect(engine, "127.0.0.1", port, options, (topic, payload, qos) -> { })
                .get(10, TimeUnit.SECONDS);
        return new AsyncSocketBenchClient(engine, client);
    }

    @Override
    public String name() {
        return "async-socket (" + engine.transport() + ")";
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] bytes, int qos) {
        if (payload == null || payload.array() != bytes) {
            payload = ByteBuffer.wrap(bytes); // sends never move a buffer's position or limit: one serves them all
        }
        return client.publish(topic, payload, qos);
    }

    @Override
    public void close() throws Exception {
        client.disconnect().get(10, TimeUnit.SECONDS);
    }
}
