package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A streaming decoder of the packets a broker sends to an MQTT 3.1.1 client, fed by a chain of receives: each
 * receive writes into {@link #room()}, then {@link #decode} hands every complete packet to an
 * {@link InboundPackets} and keeps the bytes of an incomplete one for the next receive. A packet may be split
 * anywhere, its fixed header included.
 *
 * <p>Memory stays bounded: a packet whose remaining length exceeds the limit fails the decoding before any of its
 * body is buffered, and the buffer, grown to hold one large packet, shrinks back to its initial size once that
 * packet is decoded.
 *
 * <p>Not thread-safe: one receive chain feeds it (the client's, on its socket's event loop).
 */
final class MqttDecoder {

    /** Fixed header: one byte of type and flags, then at most four of remaining length. */
    private static final int MAX_HEADER = 5;

    private final int initialCapacity;
    private final int maxRemainingLength;
    /** In write mode: the bytes received and not yet decoded are [0, position). */
    private ByteBuffer buffer;

    /**
     * @param initialCapacity    the receive buffer's usual size (direct memory)
     * @param maxRemainingLength the largest packet body accepted; a larger one is a protocol error
     */
    MqttDecoder(int initialCapacity, int maxRemainingLength) {
        if (initialCapacity < MAX_HEADER || maxRemainingLength < 0 || maxRemainingLength > RemainingLength.MAX) {
            throw new IllegalArgumentException("capacity " + initialCapacity + ", max remaining length " + maxRemainingLength);
        }
        this.initialCapacity = initialCapacity;
        this.maxRemainingLength = maxRemainingLength;
        this.buffer = ByteBuffer.allocateDirect(initialCapacity);
    }

    /** Where the next receive writes: never full, and as large as the packet under way needs. */
    ByteBuffer room() {
        return buffer;
    }

    /** Copies {@code bytes} in and decodes, as a chain of receives of any sizes would. */
    void feed(ByteBuffer bytes, InboundPackets packets) throws MqttException {
        while (bytes.hasRemaining()) {
            ByteBuffer room = room();
            int n = Math.min(room.remaining(), bytes.remaining());
            room.put(bytes.slice(bytes.position(), n));
            bytes.position(bytes.position() + n);
            decode(packets);
        }
    }

    /** Decodes every complete packet received so far; keeps the rest. */
    void decode(InboundPackets packets) throws MqttException {
        buffer.flip();
        int needed = 0;
        while (buffer.hasRemaining()) {
            int start = buffer.position();
            int typeAndFlags = buffer.get() & 0xFF;
            int length = RemainingLength.read(buffer);
            if (length == RemainingLength.INCOMPLETE) {
                buffer.position(start);
                break;
            }
            if (length > maxRemainingLength) {
                throw new MqttProtocolException("a packet of type " + (typeAndFlags >>> 4) + " has " + length
                        + " bytes after its header; this client accepts at most " + maxRemainingLength);
            }
            if (buffer.remaining() < length) {
                needed = buffer.position() - start + length;
                buffer.position(start);
                break;
            }
            int end = buffer.position() + length;
            int limit = buffer.limit();
            buffer.limit(end);
            dispatch(typeAndFlags, buffer, packets);
            buffer.limit(limit).position(end);
        }
        buffer.compact();
        makeRoom(needed);
    }

    /** Grows the buffer to hold the packet under way, or shrinks it back once a large packet is decoded. */
    private void makeRoom(int packetSize) {
        boolean tooSmall = packetSize > buffer.capacity();
        boolean grownNeedlessly = packetSize == 0 && buffer.capacity() > initialCapacity; // what is left < a header
        if (tooSmall || grownNeedlessly) {
            ByteBuffer resized = ByteBuffer.allocateDirect(Math.max(packetSize, initialCapacity));
            resized.put(buffer.flip());
            buffer = resized;
        }
    }

    private static void dispatch(int typeAndFlags, ByteBuffer body, InboundPackets packets) throws MqttException {
        int type = typeAndFlags >>> 4;
        int flags = typeAndFlags & 0x0F;
        switch (type) {
            case 2 -> {
                expect(type, flags, body, 2);
                int acknowledgeFlags = body.get() & 0xFF;
                if ((acknowledgeFlags & 0xFE) != 0) {
                    throw new MqttProtocolException("CONNACK with reserved flags set: 0x" + Integer.toHexString(acknowledgeFlags));
                }
                packets.connack(acknowledgeFlags == 1, body.get() & 0xFF);
            }
            case 3 -> publish(flags, body, packets);
            case 4 -> {
                expect(type, flags, body, 2);
                packets.puback(packetId(body));
            }
            case 9 -> {
                expect(type, flags, body, 3);
                packets.suback(packetId(body), body.get() & 0xFF);
            }
            case 13 -> {
                expect(type, flags, body, 0);
                packets.pingresp();
            }
            default -> throw new MqttProtocolException("packet type " + type + " is not one a broker sends to this client");
        }
    }

    private static void publish(int flags, ByteBuffer body, InboundPackets packets) throws MqttException {
        int qos = (flags >>> 1) & 0x03;
        if (qos > 1) {
            throw new MqttProtocolException("PUBLISH at QoS " + qos + ": this client subscribes at QoS 0 and 1 only");
        }
        need(body, 2, "PUBLISH topic length");
        int topicLength = body.getShort() & 0xFFFF;
        need(body, topicLength, "PUBLISH topic");
        byte[] topic = new byte[topicLength];
        body.get(topic);
        int packetId = qos == 0 ? 0 : packetId(body);
        packets.publish(new String(topic, StandardCharsets.UTF_8), qos, (flags & 0x01) != 0, packetId, body.slice());
    }

    private static int packetId(ByteBuffer body) throws MqttProtocolException {
        need(body, 2, "packet identifier");
        int id = body.getShort() & 0xFFFF;
        if (id == 0) {
            throw new MqttProtocolException("packet identifier 0");
        }
        return id;
    }

    private static void need(ByteBuffer body, int bytes, String what) throws MqttProtocolException {
        if (body.remaining() < bytes) {
            throw new MqttProtocolException(what + " needs " + bytes + " bytes; the packet has " + body.remaining() + " left");
        }
    }

    private static void expect(int type, int flags, ByteBuffer body, int length) throws MqttProtocolException {
        if (flags != 0) {
            throw new MqttProtocolException("packet type " + type + " with reserved flags 0x" + Integer.toHexString(flags));
        }
        if (body.remaining() != length) {
            throw new MqttProtocolException("packet type " + type + " has " + body.remaining() + " bytes after its header; "
                    + length + " expected");
        }
    }
}
