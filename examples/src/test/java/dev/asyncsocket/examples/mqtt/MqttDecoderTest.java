package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.mqtt.BrokerPackets.Recorder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static dev.asyncsocket.examples.mqtt.BrokerPackets.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The MQTT decoder")
@Timeout(30)
class MqttDecoderTest {

    private static final int CAPACITY = 64;
    private static final int LIMIT = 3 << 20;

    /** One of each packet a broker sends this client, and a PUBLISH larger than the decoder's initial buffer. */
    private static final ByteBuffer STREAM = concat(
            BrokerPackets.connack(0),
            BrokerPackets.suback(1, 1),
            BrokerPackets.publish("a/b", 0, 0, bytes(10, 1)),
            BrokerPackets.publish("sensors/7", 1, 0xFFFF, bytes(300, 2)),
            BrokerPackets.publish("empty", 1, 2, new byte[0]),
            BrokerPackets.puback(3),
            BrokerPackets.pingresp(),
            BrokerPackets.publish("z", 0, 0, bytes(CAPACITY * 3, 3)));

    @DisplayName("decodes a stream split in two at every byte boundary as it decodes it whole")
    @Test
    void decodesAStreamSplitAtEveryByteBoundary() throws Exception {
        List<String> whole = decode(STREAM.duplicate());
        assertEquals(8, whole.size(), whole.toString());
        assertEquals("PUBLISH sensors/7 qos 1 id 65535 payload 300 bytes, hash " + ByteBuffer.wrap(bytes(300, 2)).hashCode(),
                whole.get(3));

        for (int split = 1; split < STREAM.limit(); split++) {
            MqttDecoder decoder = new MqttDecoder(CAPACITY, LIMIT);
            Recorder recorder = new Recorder();
            decoder.feed(STREAM.duplicate().limit(split), recorder);
            decoder.feed(STREAM.duplicate().position(split), recorder);
            assertEquals(whole, recorder.packets, "split at " + split);
        }
    }

    @DisplayName("decodes a stream that arrives one byte at a time")
    @Test
    void decodesAStreamThatArrivesOneByteAtATime() throws Exception {
        MqttDecoder decoder = new MqttDecoder(CAPACITY, LIMIT);
        Recorder recorder = new Recorder();
        ByteBuffer stream = STREAM.duplicate();
        while (stream.hasRemaining()) {
            decoder.feed(stream.duplicate().limit(stream.position() + 1), recorder);
            stream.position(stream.position() + 1);
        }
        assertEquals(decode(STREAM.duplicate()), recorder.packets);
    }

    @DisplayName("takes bodies of every remaining-length edge value, whatever the split")
    @ParameterizedTest(name = "remaining length {0}")
    @ValueSource(ints = {0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152})
    void takesBodiesOfEveryRemainingLengthEdgeValue(int length) throws Exception {
        ByteBuffer packet = length == 0 ? BrokerPackets.pingresp()
                : BrokerPackets.publish("t", 0, 0, bytes(length - 3, length)); // 2 + 1 bytes of topic
        String expected = length == 0 ? "PINGRESP"
                : "PUBLISH t qos 0 id 0 payload " + (length - 3) + " bytes, hash " + ByteBuffer.wrap(bytes(length - 3, length)).hashCode();
        int header = 1 + RemainingLength.size(length);
        for (int split : new int[] {1, header - 1, header, header + 1, packet.limit() / 2, packet.limit() - 1}) {
            if (split <= 0 || split >= packet.limit()) {
                continue;
            }
            MqttDecoder decoder = new MqttDecoder(CAPACITY, LIMIT);
            Recorder recorder = new Recorder();
            decoder.feed(packet.duplicate().limit(split), recorder);
            assertEquals(List.of(), recorder.packets, "nothing before the last byte, split at " + split);
            decoder.feed(packet.duplicate().position(split), recorder);
            assertEquals(List.of(expected), recorder.packets, "split at " + split);
            assertEquals(CAPACITY, decoder.room().capacity(), "the buffer shrinks back once the packet is decoded");
        }
    }

    @DisplayName("refuses the largest remaining length (268,435,455) above its limit, before buffering the body")
    @Test
    void refusesTheLargestRemainingLengthAboveItsLimit() {
        ByteBuffer header = ByteBuffer.wrap(HexFormat.of().parseHex("30ffffff7f"));
        MqttDecoder decoder = new MqttDecoder(CAPACITY, LIMIT);
        MqttProtocolException e = assertThrows(MqttProtocolException.class, () -> decoder.feed(header, new Recorder()));
        assertTrue(e.getMessage().contains("268435455 bytes after its header")
                && e.getMessage().contains("at most " + LIMIT), e.getMessage());
        assertEquals(CAPACITY, decoder.room().capacity());
    }

    @DisplayName("fails on a remaining length whose fourth byte announces a fifth, split anywhere")
    @Test
    void failsOnARemainingLengthWithAFifthByte() throws Exception {
        ByteBuffer malformed = ByteBuffer.wrap(HexFormat.of().parseHex("30ffffffff01"));
        for (int split = 1; split < malformed.limit(); split++) {
            MqttDecoder decoder = new MqttDecoder(CAPACITY, LIMIT);
            decoder.feed(malformed.duplicate().limit(Math.min(split, 4)), new Recorder()); // not yet the 4th byte
            ByteBuffer rest = malformed.duplicate().position(Math.min(split, 4));
            MqttProtocolException e = assertThrows(MqttProtocolException.class, () -> decoder.feed(rest, new Recorder()));
            assertTrue(e.getMessage().startsWith("malformed remaining length"), e.getMessage());
        }
    }

    @DisplayName("fails with a clear cause on packets a broker must not send")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "3004000a6162", // PUBLISH whose topic length (10) runs past its body
            "3202000a", // PUBLISH at QoS 1 without room for its packet identifier
            "34050001610001", // PUBLISH at QoS 2
            "32050001610000", // PUBLISH at QoS 1 with packet identifier 0
            "400100", // PUBACK one byte short
            "42020001", // PUBACK with reserved flags
            "20020200", // CONNACK with reserved acknowledge flags
            "a0020001", // UNSUBACK: this client never unsubscribes
            "1000"}) // CONNECT: a client's packet
    void failsWithAClearCauseOnPacketsABrokerMustNotSend(String hex) {
        MqttDecoder decoder = new MqttDecoder(CAPACITY, LIMIT);
        MqttProtocolException e = assertThrows(MqttProtocolException.class,
                () -> decoder.feed(ByteBuffer.wrap(HexFormat.of().parseHex(hex)), new Recorder()));
        assertTrue(e.getMessage().length() > 10, e.getMessage());
    }

    private static List<String> decode(ByteBuffer stream) throws MqttException {
        Recorder recorder = new Recorder();
        new MqttDecoder(CAPACITY, LIMIT).feed(stream, recorder);
        return recorder.packets;
    }

    private static byte[] bytes(int count, long seed) {
        byte[] bytes = new byte[count];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

}
