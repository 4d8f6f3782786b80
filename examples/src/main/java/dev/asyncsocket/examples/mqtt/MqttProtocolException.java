package dev.asyncsocket.examples.mqtt;

/**
 * The broker sent bytes that are not MQTT 3.1.1 as this client speaks it: a malformed remaining length, a packet
 * larger than the client accepts, a packet type or flags a client must not receive, fields that overrun their
 * packet. The client closes the connection with it as the cause.
 */
public final class MqttProtocolException extends MqttException {

    private static final long serialVersionUID = 1L;

    public MqttProtocolException(String message) {
        super(message);
    }
}
