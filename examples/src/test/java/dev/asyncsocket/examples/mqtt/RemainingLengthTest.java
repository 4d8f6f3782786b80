package dev.asyncsocket.examples.mqtt;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The remaining length")
@Timeout(10)
class RemainingLengthTest {

    @DisplayName("is written in the fewest bytes, as MQTT 3.1.1's table gives them, and read back")
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
            "0, 00",
            "127, 7f",
            "128, 8001",
            "16383, ff7f",
            "16384, 808001",
            "2097151, ffff7f",
            "2097152, 80808001",
            "268435455, ffffff7f"})
    void isWrittenInTheFewestBytesAndReadBack(int length, String hex) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(8);
        RemainingLength.write(out, length);
        out.flip();
        assertEquals(hex, HexFormat.of().formatHex(out.array(), 0, out.limit()));
        assertEquals(out.limit(), RemainingLength.size(length));

        ByteBuffer in = ByteBuffer.allocate(out.limit() + 1).put(out).put((byte) 0x55).flip();
        assertEquals(length, RemainingLength.read(in));
        assertEquals(hex.length() / 2, in.position(), "the position is left right after the length");
    }

    @DisplayName("reads as incomplete, the position unchanged, until its last byte has arrived")
    @Test
    void readsAsIncompleteUntilItsLastByteHasArrived() throws Exception {
        byte[] full = HexFormat.of().parseHex("ffffff7f");
        for (int available = 0; available < full.length; available++) {
            ByteBuffer in = ByteBuffer.wrap(full, 0, available);
            assertEquals(RemainingLength.INCOMPLETE, RemainingLength.read(in), available + " bytes");
            assertEquals(0, in.position(), available + " bytes");
        }
    }

    @DisplayName("with a fifth byte announced is malformed, and the cause says so")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ffffffff01", "80808080", "ffffff80"})
    void withAFifthByteAnnouncedIsMalformed(String hex) {
        MqttProtocolException e = assertThrows(MqttProtocolException.class,
                () -> RemainingLength.read(ByteBuffer.wrap(HexFormat.of().parseHex(hex))));
        assertTrue(e.getMessage().contains("malformed remaining length") && e.getMessage().contains("at most 4"),
                e.getMessage());
    }

    @DisplayName("outside 0 to 268,435,455 cannot be written")
    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, RemainingLength.MAX + 1, Integer.MAX_VALUE})
    void outsideItsRangeCannotBeWritten(int length) {
        assertThrows(IllegalArgumentException.class, () -> RemainingLength.write(ByteBuffer.allocate(8), length));
        assertThrows(IllegalArgumentException.class, () -> RemainingLength.size(length));
    }
}
