package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;

/** Receives the messages of an {@link MqttClient}'s subscriptions, one at a time, on its socket's event loop. */
@FunctionalInterface
public interface MessageListener {

    /**
     * A message arrived. At QoS 1 the client acknowledges it (PUBACK) once this returns; if this throws, the client
     * closes with that exception as the cause and does not acknowledge it, so the broker keeps it for the session.
     *
     * @param payload the message's bytes, readable only during this call (copy what you keep); it must not block
     */
    void onMessage(String topic, ByteBuffer payload, int qos) throws Exception;
}
