package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;

/**
 * The remaining length of an MQTT fixed header (MQTT 3.1.1, 2.2.3): the number of bytes after it, 7 bits a byte,
 * least significant first, the top bit saying another byte follows; 1 to 4 bytes, so at most 268,435,455.
 */
public final class RemainingLength {

    /** The largest remaining length four bytes hold. */
    public static final int MAX = 268_435_455;
    /** What {@link #read} returns while the bytes of the length have not all arrived. */
    public static final int INCOMPLETE = -1;

    private static final int MAX_BYTES = 4;

    private RemainingLength() {
    }

    /** How many bytes {@code length} takes: 1 up to 127, 2 up to 16,383, 3 up to 2,097,151, else 4. */
    public static int size(int length) {
        check(length);
        return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
    }

    /** Writes {@code length} at {@code out}'s position and advances it. */
    public static void write(ByteBuffer out, int length) {
        check(length);
        int rest = length;
        do {
            int digit = rest & 0x7F;
            rest >>>= 7;
            out.put((byte) (rest > 0 ? digit | 0x80 : digit));
        } while (rest > 0);
    }

    /**
     * Reads a remaining length at {@code in}'s position. Returns it and leaves the position after it; or returns
     * {@link #INCOMPLETE}, the position unchanged, when its last byte is not there yet.
     *
     * @throws MqttProtocolException when a fourth byte still says that another follows
     */
    public static int read(ByteBuffer in) throws MqttProtocolException {
        int start = in.position();
        int length = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (!in.hasRemaining()) {
                in.position(start);
                return INCOMPLETE;
            }
            byte digit = in.get();
            length |= (digit & 0x7F) << (7 * i);
            if ((digit & 0x80) == 0) {
                return length;
            }
        }
        throw new MqttProtocolException("malformed remaining length: its 4th byte (0x"
                + Integer.toHexString(in.get(in.position() - 1) & 0xFF) + ") says a 5th follows; at most 4 are allowed");
    }

    private static void check(int length) {
        if (length < 0 || length > MAX) {
            throw new IllegalArgumentException("remaining length " + length + " is outside 0.." + MAX);
        }
    }
}
