package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The recycled view that carries a caller's direct buffer into Netty, for sends and for reads in place. */
class CallerBufferViewTest {

    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    /** A direct buffer holding {@link #BYTES} after two bytes of padding, limit two bytes short of its end. */
    static ByteBuffer callerBuffer() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BYTES.length + 4);
        buffer.position(2);
        buffer.put(BYTES);
        buffer.position(2).limit(2 + BYTES.length);
        return buffer;
    }

    private static void assertUntouched(ByteBuffer buffer) {
        assertEquals(2, buffer.position());
        assertEquals(2 + BYTES.length, buffer.limit());
    }

    @Test
    void indexZeroIsTheCallersPositionAndAllRemainingBytesAreReadable() {
        ByteBuffer caller = callerBuffer();
        ByteBuf view = CallerBufferView.of(caller, null);
        try {
            assertEquals(BYTES.length, view.capacity());
            assertEquals(BYTES.length, view.maxCapacity());
            assertEquals(0, view.readerIndex());
            assertEquals(BYTES.length, view.readableBytes());
            byte[] read = new byte[BYTES.length];
            view.readBytes(read);
            assertArrayEquals(BYTES, read);
            assertUntouched(caller);
        } finally {
            view.release();
        }
    }

    @Test
    void theMemoryAddressIsThatOfTheCallersPosition() {
        assumeTrue(PlatformDependent.hasUnsafe(), "Netty addresses native memory only with Unsafe");
        ByteBuffer caller = callerBuffer();
        ByteBuf view = CallerBufferView.of(caller, null);
        try {
            assertTrue(view.hasMemoryAddress());
            assertEquals(PlatformDependent.directBufferAddress(caller) + 2, view.memoryAddress());
            assertEquals(BYTES[0], PlatformDependent.getByte(view.memoryAddress()));
        } finally {
            view.release();
        }
    }

    @Test
    void valuesAreBigEndianWhateverTheCallersByteOrder() {
        ByteBuffer caller = callerBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuf view = CallerBufferView.of(caller, null);
        ByteBuf expected = Unpooled.wrappedBuffer(BYTES);
        try {
            assertEquals(expected.getShort(1), view.getShort(1));
            assertEquals(expected.getUnsignedMedium(2), view.getUnsignedMedium(2));
            assertEquals(expected.getMediumLE(2), view.getMediumLE(2));
            assertEquals(expected.getInt(3), view.getInt(3));
            assertEquals(expected.getIntLE(3), view.getIntLE(3));
            assertEquals(expected.getLong(4), view.getLong(4));
            assertEquals(expected.getLongLE(4), view.getLongLE(4));
            assertEquals(ByteOrder.LITTLE_ENDIAN, caller.order(), "the caller's order is left as it was");
        } finally {
            view.release();
        }
    }

    @Test
    void writesLandInTheCallersMemoryAndReadBackTheSame() {
        ByteBuffer caller = callerBuffer();
        ByteBuf view = CallerBufferView.of(caller, null);
        try {
            view.setShort(0, 0x0102).setMedium(2, 0x030405).setInt(5, 0x06070809);
            assertEquals(0x0102, view.getShort(0));
            assertEquals(0x030405, view.getMedium(2));
            assertEquals(0x06070809, view.getInt(5));
            view.setLong(4, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, view.getLong(4));
            view.setLongLE(4, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, view.getLongLE(4));
            view.setIntLE(0, 0xCAFEBABE).setShortLE(4, 0x7788).setMediumLE(6, 0x0A0B0C);
            assertEquals(0xCAFEBABE, view.getIntLE(0));
            assertEquals(0x7788, view.getShortLE(4));
            assertEquals(0x0A0B0C, view.getMediumLE(6));
            assertEquals((byte) 0xBE, caller.get(2), "little-endian: the low byte first, at the caller's position");
            assertUntouched(caller);
        } finally {
            view.release();
        }
    }

    @Test
    void bulkTransfersCopyTheViewedBytesOnly() throws Exception {
        ByteBuffer caller = callerBuffer();
        ByteBuf view = CallerBufferView.of(caller, null);
        ByteBuf heap = Unpooled.buffer(BYTES.length);
        ByteBuf copy = view.copy(2, 4);
        try {
            heap.writeBytes(view, 0, BYTES.length);
            assertEquals(Unpooled.wrappedBuffer(BYTES), heap);
            assertEquals(Unpooled.wrappedBuffer(BYTES, 2, 4), copy);
            ByteBuffer nio = ByteBuffer.allocate(3);
            view.getBytes(9, nio);
            assertArrayEquals(new byte[] {10, 11, 12}, nio.array());
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            view.getBytes(0, stream, 2);
            assertArrayEquals(new byte[] {1, 2}, stream.toByteArray());
            Path file = Files.createTempFile("view", ".bin");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                assertEquals(2, view.getBytes(2, (GatheringByteChannel) channel, 2));
                assertEquals(2, view.getBytes(4, channel, 2, 2));
            } finally {
                assertArrayEquals(new byte[] {3, 4, 5, 6}, Files.readAllBytes(file));
                Files.delete(file);
            }
            view.setBytes(0, Unpooled.wrappedBuffer(new byte[] {42, 43}));
            view.setBytes(2, ByteBuffer.wrap(new byte[] {44}));
            assertEquals(42, caller.get(2));
            assertEquals(44, caller.get(4));
            assertEquals(43, view.nioBuffer(1, 1).get(0), "an NIO view shares the caller's memory");
            assertUntouched(caller);
        } finally {
            view.release();
            heap.release();
            copy.release();
        }
    }

    @Test
    void aCopyOutsideItsBytesThrowsAndAllocatesNothing() {
        ByteBuf view = CallerBufferView.of(callerBuffer(), null);
        long before = UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> view.copy(4, BYTES.length));
            assertEquals(before, UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), "no copy left unreleased");
        } finally {
            view.release();
        }
    }

    @Test
    void aReadOnlyBufferIsReadableButRefusesWrites() {
        ByteBuffer caller = callerBuffer().asReadOnlyBuffer();
        ByteBuf view = CallerBufferView.of(caller, null);
        try {
            assertTrue(view.isReadOnly());
            assertEquals(BYTES[0], view.getByte(0));
            assertThrows(ReadOnlyBufferException.class, () -> view.setByte(0, 9));
            assertThrows(ReadOnlyBufferException.class, () -> view.setBytes(0, new byte[] {9}));
        } finally {
            view.release();
        }
    }

    @Test
    void theReleaseTellsTheObserverHowFarTheViewWasRead() {
        List<int[]> told = new ArrayList<>();
        ByteBuf view = CallerBufferView.of(callerBuffer(), (readerIndex, capacity) -> told.add(new int[] {readerIndex, capacity}));
        view.retain();
        view.skipBytes(5);
        view.release();
        assertTrue(told.isEmpty(), "only the last release lets the view go");
        view.release();
        assertEquals(1, told.size());
        assertArrayEquals(new int[] {5, BYTES.length}, told.get(0));
    }

    @Test
    void aViewReleasedOnAnEventLoopIsReusedForTheNextBuffer() throws Exception {
        // Netty 4.2 pools objects only on its own threads (event loops), and keeps one object in eight it
        // creates; once kept, an object is reused for good.
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            loop.submit(() -> {
                for (int i = 0; i < 16; i++) {
                    CallerBufferView.of(callerBuffer(), null).release();
                }
                ByteBuf first = CallerBufferView.of(callerBuffer(), null);
                first.readByte();
                first.release();
                ByteBuf second = CallerBufferView.of(ByteBuffer.allocateDirect(3), null);
                try {
                    assertSame(first, second, "the pool hands back the released view");
                    assertEquals(1, second.refCnt());
                    assertEquals(0, second.readerIndex());
                    assertEquals(3, second.readableBytes());
                } finally {
                    second.release();
                }
            }).get(10, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}
