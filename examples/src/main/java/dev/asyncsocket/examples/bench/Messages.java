package dev.asyncsocket.examples.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;

/** The bytes a workload sends, in the form each stack holds them. Stateless. */
final class Messages {

    private Messages() {
    }

    /** One direct buffer per buffer of a send, filled with a recognisable pattern. */
    static ByteBuffer[] directBuffers(Workload workload) {
        ByteBuffer[] buffers = new ByteBuffer[workload.buffersPerSend()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.allocateDirect(workload.bufferBytes());
            fill(buffers[i], i);
        }
        return buffers;
    }

    /** As {@link #directBuffers}, as pooled direct {@link ByteBuf}s; release them when done. */
    static ByteBuf[] pooledBuffers(Workload workload, ByteBufAllocator allocator) {
        ByteBuf[] buffers = new ByteBuf[workload.buffersPerSend()];
        for (int i = 0; i < buffers.length; i++) {
            ByteBuffer pattern = ByteBuffer.allocate(workload.bufferBytes());
            fill(pattern, i);
            buffers[i] = allocator.directBuffer(workload.bufferBytes()).writeBytes(pattern);
        }
        return buffers;
    }

    private static void fill(ByteBuffer buffer, int index) {
        for (int i = 0; buffer.hasRemaining(); i++) {
            buffer.put((byte) (index * 31 + i));
        }
        buffer.flip();
    }
}
