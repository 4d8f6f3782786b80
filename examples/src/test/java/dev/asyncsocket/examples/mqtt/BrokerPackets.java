package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Packets as a broker sends them, for feeding a decoder; and a recorder of what the decoder made of them. */
final class BrokerPackets {

    private BrokerPackets() {
    }

    static ByteBuffer connack(int returnCode) {
        return packet(0x20, new byte[] {0, (byte) returnCode});
    }

    static ByteBuffer suback(int packetId, int returnCode) {
        return packet(0x90, new byte[] {(byte) (packetId >>> 8), (byte) packetId, (byte) returnCode});
    }

    static ByteBuffer puback(int packetId) {
        return Packets.puback(packetId);
    }

    static ByteBuffer pingresp() {
        return packet(0xD0, new byte[0]);
    }

    static ByteBuffer publish(String topic, int qos, int packetId, byte[] payload) {
        return Packets.publish(topic.getBytes(StandardCharsets.UTF_8), qos, packetId, ByteBuffer.wrap(payload));
    }

    /** A packet of any type and flags with {@code body} after its fixed header. */
    static ByteBuffer packet(int typeAndFlags, byte[] body) {
        ByteBuffer packet = ByteBuffer.allocate(1 + RemainingLength.size(body.length) + body.length);
        packet.put((byte) typeAndFlags);
        RemainingLength.write(packet, body.length);
        return packet.put(body).flip();
    }

    static ByteBuffer concat(ByteBuffer... packets) {
        int size = 0;
        for (ByteBuffer packet : packets) {
            size += packet.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer packet : packets) {
            all.put(packet.duplicate());
        }
        return all.flip();
    }

    /** Writes down each packet decoded, as a line. */
    static final class Recorder implements InboundPackets {

        final List<String> packets = new ArrayList<>();

        @Override
        public void connack(boolean sessionPresent, int returnCode) {
            packets.add("CONNACK " + sessionPresent + " " + returnCode);
        }

        @Override
        public void publish(String topic, int qos, boolean retain, int packetId, ByteBuffer payload) {
            packets.add("PUBLISH " + topic + " qos " + qos + " id " + packetId + " payload " + payload.remaining()
                    + " bytes, hash " + payload.hashCode());
        }

        @Override
        public void puback(int packetId) {
            packets.add("PUBACK " + packetId);
        }

        @Override
        public void suback(int packetId, int returnCode) {
            packets.add("SUBACK " + packetId + " " + returnCode);
        }

        @Override
        public void pingresp() {
            packets.add("PINGRESP");
        }
    }
}
