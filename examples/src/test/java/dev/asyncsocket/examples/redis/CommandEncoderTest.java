package dev.asyncsocket.examples.redis;

import dev.asyncsocket.netty.testing.Bytes;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commands as RESP2 arrays of bulk strings: small arguments copied into one pooled buffer, large ones sent as they are. */
@DisplayName("The command encoder")
@Timeout(30)
class CommandEncoderTest {

    private final CommandEncoder encoder = new CommandEncoder(PooledByteBufAllocator.DEFAULT);

    @DisplayName("writes a command of small arguments of every type into one pooled direct buffer")
    @Test
    void writesSmallArgumentsIntoOnePooledDirectBuffer() {
        ByteBuffer value = ByteBuffer.wrap("xxvaluexx".getBytes(StandardCharsets.US_ASCII), 2, 5);
        ByteBuffer direct = Bytes.direct("é".getBytes(StandardCharsets.UTF_8));
        CommandEncoder.Encoded encoded = encoder.encode(new Object[]{"SET", "ké".getBytes(StandardCharsets.UTF_8), value, 12L, 3, direct, ""});
        try {
            assertEquals(1, encoded.buffers().length);
            assertTrue(encoded.buffers()[0].isDirect());
            assertEquals("*7\r\n$3\r\nSET\r\n$3\r\nké\r\n$5\r\nvalue\r\n$2\r\n12\r\n$1\r\n3\r\n$2\r\né\r\n$0\r\n\r\n", text(encoded, StandardCharsets.UTF_8));
            assertEquals(2, value.position(), "the caller's buffer is left as it was");
            assertEquals(7, value.limit());
            assertEquals(0, direct.position());
        } finally {
            encoded.pooled().release();
        }
    }

    @DisplayName("sends a large argument as the caller's own buffer between views of the pooled one")
    @Test
    void sendsALargeArgumentAsTheCallersOwnBuffer() {
        ByteBuffer large = Bytes.direct(Bytes.random(CommandEncoder.OWN_BUFFER_FROM, 3));
        byte[] largeArray = Bytes.random(100_000, 4);
        CommandEncoder.Encoded encoded = encoder.encode(new Object[]{"MSET", "a", large, "b", largeArray});
        try {
            assertEquals(5, encoded.buffers().length, "pooled, large, pooled, large, pooled");
            assertSame(large, encoded.buffers()[1], "no copy: the caller's buffer itself");
            assertSame(largeArray, encoded.buffers()[3].array(), "no copy: the caller's array, wrapped");
            String expected = "*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$" + CommandEncoder.OWN_BUFFER_FROM + "\r\n"
                    + new String(Bytes.remaining(large), StandardCharsets.ISO_8859_1) + "\r\n$1\r\nb\r\n$100000\r\n"
                    + new String(largeArray, StandardCharsets.ISO_8859_1) + "\r\n";
            assertEquals(expected, text(encoded, StandardCharsets.ISO_8859_1));
        } finally {
            encoded.pooled().release();
        }
    }

    @DisplayName("refuses an argument of another type, or null, allocating nothing")
    @Test
    void refusesAnArgumentOfAnotherType() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> encoder.encode(new Object[]{"GET", 1.5}));
        assertTrue(thrown.getMessage().contains("argument 1 is a java.lang.Double"), thrown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(new Object[]{"GET", null}));
    }

    private static String text(CommandEncoder.Encoded encoded, java.nio.charset.Charset charset) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteBuffer buffer : encoded.buffers()) {
            all.writeBytes(Bytes.remaining(buffer));
        }
        return all.toString(charset);
    }
}
