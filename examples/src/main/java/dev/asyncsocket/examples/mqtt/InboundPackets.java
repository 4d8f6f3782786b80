package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;

/** What {@link MqttDecoder} found: one call per packet a broker may send to a client that publishes at QoS 0 and 1. */
interface InboundPackets {

    void connack(boolean sessionPresent, int returnCode) throws MqttException;

    /**
     * @param packetId 0 at QoS 0
     * @param payload  the message, valid only during this call (it is a view of the decoder's buffer)
     */
    void publish(String topic, int qos, boolean retain, int packetId, ByteBuffer payload) throws MqttException;

    void puback(int packetId) throws MqttException;

    /** @param returnCode the granted QoS of the one topic filter subscribed to, or 0x80 for a refusal */
    void suback(int packetId, int returnCode) throws MqttException;

    void pingresp() throws MqttException;
}
