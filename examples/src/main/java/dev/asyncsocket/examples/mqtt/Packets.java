package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The packets an MQTT 3.1.1 client sends, each encoded into a new heap buffer ready to send (position 0, limit at
 * its end). A PUBLISH comes whole (a small payload copied in), or as its header alone (fixed header, topic, packet
 * identifier), for a large payload to go out as the caller's own buffer after it, in the same gathered send.
 */
final class Packets {

    static final int CONNECT = 1 << 4;
    static final int PUBLISH = 3 << 4;
    static final int PUBACK = 4 << 4;
    static final int SUBSCRIBE = (8 << 4) | 0b0010; // MQTT-3.8.1-1: flags 0010
    static final int PINGREQ = 12 << 4;
    static final int DISCONNECT = 14 << 4;

    private static final byte[] PROTOCOL_NAME = "MQTT".getBytes(StandardCharsets.US_ASCII);
    private static final int PROTOCOL_LEVEL = 4; // 3.1.1
    private static final int CLEAN_SESSION = 0x02;

    private Packets() {
    }

    static ByteBuffer connect(String clientId, int keepAliveSeconds, boolean cleanSession) {
        byte[] id = utf8(clientId);
        ByteBuffer packet = fixedHeader(CONNECT, 2 + PROTOCOL_NAME.length + 1 + 1 + 2 + 2 + id.length);
        packet.putShort((short) PROTOCOL_NAME.length).put(PROTOCOL_NAME)
                .put((byte) PROTOCOL_LEVEL)
                .put((byte) (cleanSession ? CLEAN_SESSION : 0))
                .putShort((short) keepAliveSeconds)
                .putShort((short) id.length).put(id);
        return packet.flip();
    }

    static ByteBuffer subscribe(int packetId, String topicFilter, int qos) {
        byte[] filter = utf8(topicFilter);
        ByteBuffer packet = fixedHeader(SUBSCRIBE, 2 + 2 + filter.length + 1);
        packet.putShort((short) packetId).putShort((short) filter.length).put(filter).put((byte) qos);
        return packet.flip();
    }

    /** A PUBLISH up to its payload, which goes out as its own buffer after it; {@code packetId} is ignored at QoS 0. */
    static ByteBuffer publishHeader(byte[] topic, int qos, int packetId, int payloadLength) {
        return publishStart(topic, qos, packetId, payloadLength, 0).flip();
    }

    /** A whole PUBLISH, {@code payload}'s bytes copied in (its position unchanged); {@code packetId} is ignored at QoS 0. */
    static ByteBuffer publish(byte[] topic, int qos, int packetId, ByteBuffer payload) {
        int length = payload.remaining();
        return publishStart(topic, qos, packetId, length, length).put(payload.duplicate()).flip();
    }

    private static ByteBuffer publishStart(byte[] topic, int qos, int packetId, int payloadLength, int payloadHere) {
        int variableHeader = 2 + topic.length + (qos > 0 ? 2 : 0);
        ByteBuffer packet = fixedHeader(PUBLISH | (qos << 1), variableHeader + payloadLength, variableHeader + payloadHere);
        packet.putShort((short) topic.length).put(topic);
        if (qos > 0) {
            packet.putShort((short) packetId);
        }
        return packet;
    }

    static ByteBuffer puback(int packetId) {
        return fixedHeader(PUBACK, 2).putShort((short) packetId).flip();
    }

    static ByteBuffer pingreq() {
        return fixedHeader(PINGREQ, 0).flip();
    }

    static ByteBuffer disconnect() {
        return fixedHeader(DISCONNECT, 0).flip();
    }

    /** The largest payload a PUBLISH of this topic can carry. */
    static int maxPayload(byte[] topic, int qos) {
        return RemainingLength.MAX - 2 - topic.length - (qos > 0 ? 2 : 0);
    }

    static byte[] utf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("an MQTT string holds at most 65,535 bytes; this one has " + bytes.length);
        }
        return bytes;
    }

    private static ByteBuffer fixedHeader(int typeAndFlags, int remainingLength) {
        return fixedHeader(typeAndFlags, remainingLength, remainingLength);
    }

    /** A buffer holding the fixed header and room for {@code bodyHere} bytes of the body. */
    private static ByteBuffer fixedHeader(int typeAndFlags, int remainingLength, int bodyHere) {
        ByteBuffer packet = ByteBuffer.allocate(1 + RemainingLength.size(remainingLength) + bodyHere);
        packet.put((byte) typeAndFlags);
        RemainingLength.write(packet, remainingLength);
        return packet;
    }
}
