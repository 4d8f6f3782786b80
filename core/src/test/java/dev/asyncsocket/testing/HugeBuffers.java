package dev.asyncsocket.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Buffers large enough to pass UINT32_MAX bytes in all without using that much memory: views of one 2 GiB
 * memory-mapped sparse file, whose pages cost nothing until touched.
 */
public final class HugeBuffers {

    private HugeBuffers() {
    }

    /** {@code count} writable views of 2,147,483,647 bytes each (so 3 of them exceed UINT32_MAX). */
    public static ByteBuffer[] views(int count) {
        ByteBuffer mapping = map();
        ByteBuffer[] views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            views[i] = mapping.duplicate();
        }
        return views;
    }

    private static ByteBuffer map() {
        try {
            Path file = Files.createTempFile("async-socket-huge", ".sparse");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE)) {
                return channel.map(FileChannel.MapMode.READ_WRITE, 0, Integer.MAX_VALUE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
