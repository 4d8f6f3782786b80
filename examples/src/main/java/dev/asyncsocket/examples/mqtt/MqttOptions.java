package dev.asyncsocket.examples.mqtt;

/**
 * How an {@link MqttClient} connects and what it bounds.
 *
 * @param clientId             the client identifier sent in CONNECT (1 to 23 letters and digits are what every
 *                             broker accepts)
 * @param keepAliveSeconds     the keep-alive sent in CONNECT, and the period of the client's PINGREQs; 0 turns it off
 * @param cleanSession         whether the broker starts a new session (and drops it at the end)
 * @param maxInFlight          the most publishes and subscribes under way at once: QoS 1 publishes awaiting their
 *                             PUBACK, subscribes awaiting their SUBACK, QoS 0 publishes not yet written; beyond it
 *                             a publish or subscribe fails at once (at most 65,535: the packet identifiers)
 * @param maxPacketSize        the largest packet body the client accepts from the broker, in bytes
 * @param connectTimeoutMillis the time the TCP connect, and then the CONNACK, may each take
 */
public record MqttOptions(String clientId, int keepAliveSeconds, boolean cleanSession, int maxInFlight,
                          int maxPacketSize, int connectTimeoutMillis) {

    public MqttOptions {
        if (clientId == null || Packets.utf8(clientId).length == 0) {
            throw new IllegalArgumentException("a client identifier is needed");
        }
        if (keepAliveSeconds < 0 || keepAliveSeconds > 0xFFFF) {
            throw new IllegalArgumentException("keep-alive " + keepAliveSeconds + " s is outside 0..65535");
        }
        if (maxInFlight < 1 || maxInFlight > 0xFFFF) {
            throw new IllegalArgumentException("max in flight " + maxInFlight + " is outside 1..65535");
        }
        if (maxPacketSize < 2 || maxPacketSize > RemainingLength.MAX) {
            throw new IllegalArgumentException("max packet size " + maxPacketSize + " is outside 2.." + RemainingLength.MAX);
        }
        if (connectTimeoutMillis <= 0) {
            throw new IllegalArgumentException("connect timeout " + connectTimeoutMillis + " ms");
        }
    }

    /** A clean session, a 60 s keep-alive, 1,000 in flight, packets up to 1 MiB, 10 s to connect. */
    public static MqttOptions defaults(String clientId) {
        return new MqttOptions(clientId, 60, true, 1_000, 1 << 20, 10_000);
    }

    public MqttOptions withKeepAliveSeconds(int seconds) {
        return new MqttOptions(clientId, seconds, cleanSession, maxInFlight, maxPacketSize, connectTimeoutMillis);
    }

    public MqttOptions withMaxInFlight(int operations) {
        return new MqttOptions(clientId, keepAliveSeconds, cleanSession, operations, maxPacketSize, connectTimeoutMillis);
    }

    public MqttOptions withMaxPacketSize(int bytes) {
        return new MqttOptions(clientId, keepAliveSeconds, cleanSession, maxInFlight, bytes, connectTimeoutMillis);
    }
}
