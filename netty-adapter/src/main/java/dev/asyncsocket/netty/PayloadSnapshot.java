package dev.asyncsocket.netty;

import dev.asyncsocket.spi.Payload;

import java.nio.ByteBuffer;

/**
 * A send's buffers as {@code sendAsync} found them, read once: the references, and each buffer's position and
 * limit, in flat arrays. That is 12 bytes a buffer where the JVM compresses references (16 without), and no
 * object per buffer: what the send holds of its caller's arguments for its whole life. The writes of the send
 * ({@link GatheredBuffers}) read the caller's memory through it, never through the caller's array or the
 * buffers' own bounds, so that another thread changing either afterwards changes nothing that is sent, and
 * they never move a caller's buffer.
 *
 * <p>Immutable once made; any thread may read it.
 */
final class PayloadSnapshot {

    private final ByteBuffer[] buffers;
    /** Buffer {@code i}'s position at {@code 2 * i}, its limit at {@code 2 * i + 1}. */
    private final int[] bounds;

    private PayloadSnapshot(ByteBuffer[] buffers, int[] bounds) {
        this.buffers = buffers;
        this.bounds = bounds;
    }

    /**
     * The snapshot of a payload, each element and each bound read once.
     *
     * @return {@code null} for bad input, as {@link Payload#sendTotal} judges it (judged on what was read here)
     */
    static PayloadSnapshot of(ByteBuffer[] payload) {
        if (payload == null || payload.length == 0 || !Payload.contextFits(payload.length)) {
            return null;
        }
        ByteBuffer[] buffers = new ByteBuffer[payload.length];
        int[] bounds = new int[2 * payload.length];
        long total = 0;
        for (int i = 0; i < buffers.length; i++) {
            ByteBuffer buffer = payload[i];
            if (buffer == null) {
                return null;
            }
            int position = buffer.position();
            int limit = buffer.limit();
            total += limit - position;
            if (limit <= position || total > Payload.MAX_TOTAL_BYTES) {
                return null;
            }
            buffers[i] = buffer;
            bounds[2 * i] = position;
            bounds[2 * i + 1] = limit;
        }
        return new PayloadSnapshot(buffers, bounds);
    }

    /** How many buffers the payload has. */
    int count() {
        return buffers.length;
    }

    /** How many bytes buffer {@code i} holds: at least one. */
    int bytes(int i) {
        return bounds[2 * i + 1] - bounds[2 * i];
    }

    boolean isDirect(int i) {
        return buffers[i].isDirect();
    }

    // A caller that lowered a buffer's limit after the send was made broke the contract, but must not make the
    // transport's write fail (nor leak the copy a transport makes): past the limit, a view over the whole
    // capacity serves the bytes that were lent (CallerMemory). Absolute accesses only, so no buffer of the
    // caller's ever moves.

    /** Byte {@code at} of buffer {@code i}, counted from its position. */
    byte get(int i, int at) {
        int index = bounds[2 * i] + at;
        ByteBuffer buffer = buffers[i];
        try {
            return buffer.get(index);
        } catch (IndexOutOfBoundsException loweredMeanwhile) {
            return CallerMemory.whole(buffer).get(index);
        }
    }

    /**
     * A new buffer over {@code length} bytes of buffer {@code i} from byte {@code at} (counted from its
     * position), backed by the caller's memory.
     */
    ByteBuffer region(int i, int at, int length) {
        int index = bounds[2 * i] + at;
        ByteBuffer buffer = buffers[i];
        try {
            return buffer.slice(index, length);
        } catch (IndexOutOfBoundsException loweredMeanwhile) {
            return CallerMemory.whole(buffer).slice(index, length);
        }
    }
}
