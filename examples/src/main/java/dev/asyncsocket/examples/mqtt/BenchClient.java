package dev.asyncsocket.examples.mqtt;

import java.util.concurrent.CompletableFuture;

/**
 * One MQTT client under {@link MqttVsPahoBenchmark}: both the example client and Paho are driven through this, so
 * each workload is the same code for both.
 */
interface BenchClient extends AutoCloseable {

    String name();

    /**
     * Publishes {@code payload} (shared by every call; not changed) to {@code topic}.
     *
     * @return completes once written (QoS 0) or acknowledged by PUBACK (QoS 1); fails with the client's exception
     */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos);

    @Override
    void close() throws Exception;
}
