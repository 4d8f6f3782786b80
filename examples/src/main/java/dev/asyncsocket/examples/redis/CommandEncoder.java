package dev.asyncsocket.examples.redis;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a command as RESP2 (an array of bulk strings) into one pooled direct {@link ByteBuf}, except arguments of
 * {@value #OWN_BUFFER_FROM} bytes or more: those go out as buffers of their own between views of the pooled one,
 * the caller's bytes sent as they are, in one gathered send.
 *
 * <p>Arguments: {@link CharSequence} (UTF-8), {@code byte[]}, {@link ByteBuffer} (its bytes between position and
 * limit; neither is changed), {@link Long} or {@link Integer} (in decimal). Each is read once.
 *
 * <p>Thread-safe: it keeps no state but its allocator.
 */
final class CommandEncoder {

    /** Arguments this long or longer are sent from their own buffer, without a copy. */
    static final int OWN_BUFFER_FROM = 16 * 1024;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
            100_000_000, 1_000_000_000};

    private final ByteBufAllocator allocator;

    CommandEncoder(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * One command, ready for {@code sendAsync}.
     *
     * @param buffers what to send, in order: views of {@code pooled} with the caller's large buffers between them
     * @param pooled  the buffer to release once the send completed (whatever its result)
     */
    record Encoded(ByteBuffer[] buffers, ByteBuf pooled) {
    }

    /** @throws IllegalArgumentException if an argument is {@code null} or of another type (nothing is allocated) */
    Encoded encode(Object[] arguments) {
        // Each argument is read once, into a form that says its length: bytes, or a buffer sent as it is.
        Object[] parts = new Object[arguments.length];
        int pooledBytes = 1 + digits(arguments.length) + 2;
        int ownBuffers = 0;
        for (int i = 0; i < arguments.length; i++) {
            Object part = asBytesOrBuffer(arguments[i], i);
            int length = part instanceof byte[] bytes ? bytes.length : ((ByteBuffer) part).remaining();
            if (length >= OWN_BUFFER_FROM) {
                ownBuffers++;
                if (part instanceof byte[] bytes) {
                    part = ByteBuffer.wrap(bytes);
                }
            } else {
                pooledBytes += length;
                if (part instanceof ByteBuffer buffer) {
                    part = new SmallBuffer(buffer, length);
                }
            }
            pooledBytes += 1 + digits(length) + 2 + 2;
            parts[i] = part;
        }

        ByteBuf pooled = allocator.directBuffer(pooledBytes);
        ByteBuffer[] buffers = new ByteBuffer[2 * ownBuffers + 1];
        int count = 0;
        int viewStart = 0;
        writeHeader(pooled, '*', arguments.length);
        for (Object part : parts) {
            if (part instanceof ByteBuffer own) {
                writeHeader(pooled, '$', own.remaining());
                buffers[count++] = pooled.nioBuffer(viewStart, pooled.writerIndex() - viewStart);
                buffers[count++] = own;
                viewStart = pooled.writerIndex();
            } else if (part instanceof byte[] bytes) {
                writeHeader(pooled, '$', bytes.length);
                pooled.writeBytes(bytes);
            } else {
                SmallBuffer small = (SmallBuffer) part;
                writeHeader(pooled, '$', small.length);
                small.copyTo(pooled);
            }
            pooled.writeBytes(CRLF);
        }
        buffers[count] = pooled.nioBuffer(viewStart, pooled.writerIndex() - viewStart);
        return new Encoded(buffers, pooled);
    }

    /** A small caller's buffer, copied without touching its position. */
    private record SmallBuffer(ByteBuffer buffer, int length) {
        void copyTo(ByteBuf target) {
            if (buffer.hasArray()) {
                target.writeBytes(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
            } else {
                target.writeBytes(buffer.duplicate());
            }
        }
    }

    private static Object asBytesOrBuffer(Object argument, int index) {
        if (argument instanceof byte[] || argument instanceof ByteBuffer) {
            return argument;
        }
        if (argument instanceof CharSequence text) {
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (argument instanceof Long || argument instanceof Integer) {
            return argument.toString().getBytes(StandardCharsets.US_ASCII);
        }
        throw new IllegalArgumentException("argument " + index + " is "
                + (argument == null ? "null" : "a " + argument.getClass().getName())
                + "; expected a CharSequence, byte[], ByteBuffer, Long or Integer");
    }

    private static void writeHeader(ByteBuf target, char type, int length) {
        target.writeByte(type);
        for (int unit = POWERS_OF_TEN[digits(length) - 1]; unit > 0; unit /= 10) {
            target.writeByte('0' + length / unit % 10);
        }
        target.writeBytes(CRLF);
    }

    /** How many decimal digits {@code n} (0 or more) has. */
    private static int digits(int n) {
        int digits = 1;
        while (digits < POWERS_OF_TEN.length && n >= POWERS_OF_TEN[digits]) {
            digits++;
        }
        return digits;
    }
}
