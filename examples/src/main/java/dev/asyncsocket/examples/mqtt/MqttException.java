package dev.asyncsocket.examples.mqtt;

import java.io.IOException;

/**
 * Why an MQTT operation failed: the connection was lost (the socket's failure is the cause), refused by the broker,
 * closed by the client, timed out, or the client refused the operation (too many in flight).
 */
public class MqttException extends IOException {

    private static final long serialVersionUID = 1L;

    public MqttException(String message) {
        super(message);
    }

    public MqttException(String message, Throwable cause) {
        super(message, cause);
    }
}
