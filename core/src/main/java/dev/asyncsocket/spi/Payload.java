package dev.asyncsocket.spi;

import java.nio.ByteBuffer;

/**
 * c-pal's rules for a payload, in one place: what makes a buffer array bad input for a send or a
 * receive, and how many bytes a good one holds. Stateless and thread-safe.
 */
public final class Payload {

    /** UINT32_MAX: the most bytes one operation may carry. */
    public static final long MAX_TOTAL_BYTES = 0xFFFF_FFFFL;

    /** Returned by the checks for bad input. */
    public static final long INVALID = -1;

    /**
     * What one operation's context costs per buffer: the reference to the caller's buffer and the
     * per-buffer bookkeeping of the wrapper that carries it (c-pal's SOCKET_BUFFER/WSABUF item).
     */
    static final long CONTEXT_BYTES_PER_BUFFER = 32;

    /** The fixed part of one operation's context. */
    static final long CONTEXT_HEADER_BYTES = 64;

    private Payload() {
    }

    /**
     * @return the total number of bytes to send, or {@link #INVALID} if the array is {@code null} or empty,
     *     holds a {@code null} buffer or one with nothing remaining, totals more than
     *     {@link #MAX_TOTAL_BYTES}, or needs a context larger than {@link #MAX_TOTAL_BYTES}
     */
    public static long sendTotal(ByteBuffer[] payload) {
        return total(payload, false);
    }

    /** As {@link #sendTotal}, and a read-only buffer is also bad input. */
    public static long receiveTotal(ByteBuffer[] payload) {
        return total(payload, true);
    }

    /** Whether the context of an operation on {@code bufferCount} buffers fits in UINT32_MAX bytes. */
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_103
    public static boolean contextFits(long bufferCount) {
        return bufferCount <= (MAX_TOTAL_BYTES - CONTEXT_HEADER_BYTES) / CONTEXT_BYTES_PER_BUFFER;
    }

    private static long total(ByteBuffer[] payload, boolean writable) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_025
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_074
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_085
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_086
        if (payload == null || payload.length == 0 || !contextFits(payload.length)) {
            return INVALID;
        }
        long total = 0;
        for (ByteBuffer buffer : payload) {
            long bytes = bytesOf(buffer, writable);
            if (bytes == INVALID) {
                return INVALID;
            }
            total += bytes;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_101
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_096
        return total > MAX_TOTAL_BYTES ? INVALID : total;
    }

    /**
     * The bytes one buffer of a payload holds, from its position and limit as read once each (so that a
     * buffer another thread moves meanwhile is judged by one consistent pair, or refused).
     *
     * @return the byte count, or {@link #INVALID} if the buffer is {@code null}, holds nothing, or is
     *     read-only where {@code writable} is asked
     */
    public static long bytesOf(ByteBuffer buffer, boolean writable) {
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_089
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_091
        if (buffer == null || (writable && buffer.isReadOnly())) {
            return INVALID;
        }
        int position = buffer.position();
        int limit = buffer.limit();
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_090
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_092
        return limit > position ? limit - position : INVALID;
    }
}
