package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.CountingAllocator;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceiveTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aReceivePostedBeforeAnyDataIsAcceptedAndCompletesWhenOneByteArrives(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            ByteBuffer buffer = ByteBuffer.allocate(16);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_055
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_083
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {buffer}, recorder, "ctx"));
            pair.peerWrite(new byte[] {7});
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_071
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_069
            CallbackRecorder.Callback done = recorder.next();
            assertEquals(ReceiveResult.OK, done.result());
            assertEquals(1, done.bytes(), "a receive completes as soon as one byte is there");
            assertEquals("ctx", done.context());
            assertEquals(1, buffer.position());
            assertEquals(7, buffer.get(0));
        }
    }

    @EachTransport
    void bytesFillTheBuffersInOrderAtTheirPositions(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            ByteBuffer first = ByteBuffer.allocate(10).position(6);   // room for 4
            ByteBuffer second = ByteBuffer.allocateDirect(3);         // room for 3
            ByteBuffer third = ByteBuffer.allocate(100).limit(5);     // room for 5
            byte[] bytes = Bytes.random(12, 1);
            pair.peerWrite(bytes);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_077
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_078
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_079
            int received = 0;
            while (received < 12) {
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {first, second, third}, recorder, null));
                CallbackRecorder.Callback done = recorder.next();
                assertEquals(ReceiveResult.OK, done.result());
                received += done.bytes();
            }
            assertEquals(12, received);
            assertEquals(10, first.position());
            assertEquals(3, second.position());
            assertEquals(5, third.position());
            assertEquals(5, third.limit(), "limits are left alone");
            byte[] got = new byte[12];
            first.duplicate().position(6).get(got, 0, 4);
            second.duplicate().flip().get(got, 4, 3);
            third.duplicate().flip().get(got, 7, 5);
            assertArrayEquals(bytes, got);
        }
    }

    @EachTransport
    void bytesBeyondTheBuffersAreKeptForTheNextReceiveAndNeverOverReported(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] bytes = Bytes.random(1000, 2);
            pair.peerWrite(bytes);
            ByteBuffer small = ByteBuffer.allocate(10);
            pair.socket().receiveAsync(new ByteBuffer[] {small}, recorder, null);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_095
            CallbackRecorder.Callback first = recorder.next();
            assertEquals(ReceiveResult.OK, first.result());
            assertTrue(first.bytes() <= 10, "never more than the buffers hold");
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(Bytes.written(small));
            all.write(pair.receiveExactly(recorder, bytes.length - all.size(), 64));
            assertArrayEquals(bytes, all.toByteArray());
        }
    }

    @EachTransport
    void bytesReadWithNoReceiveLeftWaitForTheNextOneAndCompleteNothing(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.peerWrite(Bytes.random(100, 3));
            ByteBuffer one = ByteBuffer.allocate(1);
            pair.socket().receiveAsync(new ByteBuffer[] {one}, recorder, "first");
            assertEquals(1, recorder.next().bytes());
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_063
            // The rest of the burst has no receive to complete; the next receive gets it.
            ByteBuffer rest = ByteBuffer.allocate(200);
            pair.peerWrite(new byte[] {1});
            pair.socket().receiveAsync(new ByteBuffer[] {rest}, recorder, "second");
            int total = 0;
            while (total < 100) {
                CallbackRecorder.Callback done = recorder.next();
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_064
                assertEquals(total == 0 ? "second" : "third", done.context());
                total += done.bytes();
                if (total < 100) {
                    pair.socket().receiveAsync(new ByteBuffer[] {rest}, recorder, "third");
                }
            }
            assertEquals(100, total);
        }
    }

    @EachTransport
    void receivesCompleteInTheOrderPostedEachWithTheNextBytes(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            ByteBuffer[] buffers = new ByteBuffer[8];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = ByteBuffer.allocate(4);
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_080
                pair.socket().receiveAsync(new ByteBuffer[] {buffers[i]}, recorder, i);
            }
            byte[] bytes = Bytes.random(32, 4);
            pair.peerWrite(bytes);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            List<CallbackRecorder.Callback> done = recorder.next(8);
            for (int i = 0; i < 8; i++) {
                assertEquals(i, done.get(i).context());
                all.write(Bytes.written(buffers[i]));
            }
            byte[] got = all.toByteArray();
            assertArrayEquals(Arrays.copyOf(bytes, got.length), got, "each receive got the next bytes");
        }
    }

    @EachTransport
    void aSeveralMebibyteRandomStreamIsReceivedIntactIntoHeapAndDirectBuffers(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] stream = Bytes.random(6 << 20, 5);
            Thread writer = new Thread(() -> {
                try {
                    pair.peerWrite(stream);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            ByteArrayOutputStream all = new ByteArrayOutputStream(stream.length);
            for (int i = 0; all.size() < stream.length; i++) {
                ByteBuffer buffer = i % 2 == 0 ? ByteBuffer.allocate(1 + (i * 7919) % 70_000)
                        : ByteBuffer.allocateDirect(1 + (i * 104_729) % 70_000);
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {buffer}, recorder, null));
                CallbackRecorder.Callback done = recorder.next();
                assertEquals(ReceiveResult.OK, done.result());
                assertEquals(buffer.position(), done.bytes());
                all.write(Bytes.written(buffer));
            }
            writer.join(10_000);
            assertEquals(Bytes.crc(stream), Bytes.crc(all.toByteArray()));
        }
    }

    @EachTransport
    void aLoneDirectBufferIsReadIntoInPlaceWithoutAnIntermediateBuffer(NettyTransport transport) throws Exception {
        Assumptions.assumeTrue(transport != NettyTransport.IO_URING, "io_uring reads asynchronously: always copies");
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CountingAllocator allocator = new CountingAllocator();
            pair.transport().channel().config().setAllocator(allocator);
            byte[] bytes = Bytes.random(200_000, 7);
            pair.peerWrite(bytes);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer direct = ByteBuffer.allocateDirect(16 * 1024);
            while (all.size() < bytes.length) {
                direct.clear();
                pair.socket().receiveAsync(new ByteBuffer[] {direct}, recorder, null);
                assertEquals(ReceiveResult.OK, recorder.next().result());
                all.write(Bytes.written(direct));
            }
            assertArrayEquals(bytes, all.toByteArray());
            assertEquals(0, allocator.allocated(), "the transport read straight into the posted buffer");

            ByteBuffer heap = ByteBuffer.allocate(100);
            pair.peerWrite(new byte[] {1, 2, 3});
            pair.socket().receiveAsync(new ByteBuffer[] {heap}, recorder, null);
            assertEquals(3, recorder.next().bytes());
            assertTrue(allocator.allocated() > 0, "a heap buffer is filled by a copy");
        }
    }

    @EachTransport
    void aNullContextIsPassedBackAsNull(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_076
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            pair.peerWrite(new byte[] {1});
            assertNull(recorder.next().context());
        }
    }

    @EachTransport
    void everyBufferReadFromTheChannelIsReleasedOnceCopied(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            List<ByteBuf> read = new CopyOnWriteArrayList<>();
            pair.transport().channel().pipeline().addFirst(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    read.add((ByteBuf) msg);
                    ctx.fireChannelRead(msg);
                }
            });
            pair.peerWrite(Bytes.random(50, 6));
            int total = 0;
            while (total < 50) {
                pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(50)}, recorder, null);
                total += recorder.next().bytes();
            }
            pair.awaitEventLoopTurn();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_068
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_072
            assertTrue(!read.isEmpty());
            for (ByteBuf buf : read) {
                assertEquals(0, buf.refCnt());
            }
        }
    }
}
