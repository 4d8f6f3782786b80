package dev.asyncsocket.examples.mqtt;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.util.concurrent.CompletableFuture;

/**
 * Eclipse Paho's {@link MqttAsyncClient} (MQTT 3.1.1) as a {@link BenchClient}, set up as for speed: in-memory
 * persistence (the default is on disk), a clean session, its in-flight window as large as the benchmark's.
 */
final class PahoBenchClient implements BenchClient {

    private static final IMqttActionListener COMPLETE = new IMqttActionListener() {
        @Override
        @SuppressWarnings("unchecked")
        public void onSuccess(IMqttToken token) {
            ((CompletableFuture<Void>) token.getUserContext()).complete(null);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void onFailure(IMqttToken token, Throwable failure) {
            ((CompletableFuture<Void>) token.getUserContext()).completeExceptionally(failure);
        }
    };

    private final MqttAsyncClient client;

    private PahoBenchClient(MqttAsyncClient client) {
        this.client = client;
    }

    static PahoBenchClient connect(int port, String clientId, int maxInFlight) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setKeepAliveInterval(60);
        options.setMaxInflight(maxInFlight);
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(10_000);
        return new PahoBenchClient(client);
    }

    @Override
    public String name() {
        return "Paho 1.2.5";
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.publish(topic, payload, qos, false, done, COMPLETE);
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() throws Exception {
        client.disconnect().waitForCompletion(10_000);
        client.close();
    }
}
