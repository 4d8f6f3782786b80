package dev.asyncsocket.netty;

import java.nio.ByteBuffer;

/**
 * Views over the memory of a buffer a caller lent. A caller that moves a lent buffer's position or limit while
 * the send is under way breaks the contract, but that must not fail the transport's write, nor make Netty's
 * transports leak the direct copy they make of heap bytes (they do not release it if reading ours throws).
 * Stateless.
 */
final class CallerMemory {

    private CallerMemory() {
    }

    /**
     * A new buffer over the whole capacity of {@code buffer} (position 0, limit the capacity; indexes as the
     * caller's), whatever the caller does to its position and limit meanwhile. A heap buffer's array is wrapped.
     * Otherwise it is a duplicate: {@link ByteBuffer#duplicate()} reads the position and the limit one after
     * the other and throws if a caller moving both made them cross in between, so it is made again then.
     */
    static ByteBuffer whole(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            return ByteBuffer.wrap(buffer.array(), buffer.arrayOffset(), buffer.capacity()).slice();
        }
        while (true) {
            try {
                return buffer.duplicate().clear();
            } catch (IllegalArgumentException crossedMeanwhile) {
                Thread.onSpinWait();
            }
        }
    }
}
