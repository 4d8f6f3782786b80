package dev.asyncsocket.netty;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class SendTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void oneByteReachesThePeerAndCompletesOk(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_045
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {42})},
                    recorder, "ctx"));
            assertArrayEquals(new byte[] {42}, pair.peerRead(1));
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_065
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_066
            CallbackRecorder.Callback done = recorder.next();
            assertEquals(SendResult.OK, done.result());
            assertEquals("ctx", done.context());
        }
    }

    @EachTransport
    void severalBuffersLeaveAsOneContiguousPieceInArrayOrder(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] bytes = Bytes.random(3000, 1);
            ByteBuffer[] payload = {
                ByteBuffer.wrap(bytes, 0, 1000), Bytes.direct(java.util.Arrays.copyOfRange(bytes, 1000, 2500)),
                ByteBuffer.wrap(bytes, 2500, 500)};
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_028
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_050
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_056
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload, recorder, null));
            assertArrayEquals(bytes, pair.peerRead(bytes.length));
            assertEquals(SendResult.OK, recorder.next().result());
        }
    }

    @EachTransport
    void aSendNeverMovesTheCallersBuffers(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            ByteBuffer heap = ByteBuffer.wrap(Bytes.random(100, 2)).position(10).limit(90);
            ByteBuffer direct = Bytes.direct(Bytes.random(50, 3)).position(5);
            pair.socket().sendAsync(new ByteBuffer[] {heap, direct}, recorder, null);
            pair.peerRead(80 + 45);
            assertEquals(SendResult.OK, recorder.next().result());
            assertEquals(10, heap.position());
            assertEquals(90, heap.limit());
            assertEquals(5, direct.position());
            assertEquals(50, direct.limit());
        }
    }

    @EachTransport
    void aSendWrapsTheCallersMemoryInsteadOfCopyingIt(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            List<ByteBuf> written = new CopyOnWriteArrayList<>();
            List<byte[]> arrays = new CopyOnWriteArrayList<>();
            pair.transport().channel().pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    ByteBuf gathered = (ByteBuf) msg;
                    written.add(gathered);
                    for (ByteBuffer region : gathered.nioBuffers()) {
                        arrays.add(region.array());
                    }
                    ctx.write(msg, promise);
                }
            });
            byte[] first = Bytes.random(64, 4);
            byte[] second = Bytes.random(64, 5);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_056
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(first), ByteBuffer.wrap(second)}, recorder, null);
            pair.peerRead(128);
            assertEquals(SendResult.OK, recorder.next().result());
            pair.awaitEventLoopTurn();
            assertEquals(1, written.size(), "one write for the whole send");
            assertEquals(2, arrays.size());
            assertSame(first, arrays.get(0), "the first buffer's own array, not a copy");
            assertSame(second, arrays.get(1));
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_068
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_072
            assertEquals(0, written.get(0).refCnt(), "the completed send released its wrapper");
        }
    }

    @EachTransport
    void aSeveralMebibyteRandomStreamArrivesIntactWhateverTheBufferKind(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] stream = Bytes.random(6 << 20, 6);
            int sends = 0;
            for (int offset = 0, chunk = 1; offset < stream.length; offset += chunk, chunk = Math.min(chunk * 3 + 1, 256 * 1024)) {
                int length = Math.min(chunk, stream.length - offset);
                byte[] piece = java.util.Arrays.copyOfRange(stream, offset, offset + length);
                ByteBuffer buffer = sends % 2 == 0 ? ByteBuffer.wrap(piece) : Bytes.direct(piece);
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_053
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {buffer}, recorder, sends));
                sends++;
            }
            assertEquals(Bytes.crc(stream), Bytes.crc(pair.peerRead(stream.length)));
            List<CallbackRecorder.Callback> done = recorder.next(sends);
            for (int i = 0; i < sends; i++) {
                assertEquals(SendResult.OK, done.get(i).result());
                assertEquals(i, done.get(i).context(), "send callbacks fire in the order of the sends");
            }
        }
    }

    @EachTransport
    void aNullContextIsPassedBackAsNull(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_027
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(3)}, recorder, null));
            pair.peerRead(3);
            assertNull(recorder.next().context());
        }
    }

    @EachTransport
    void eachSendGetsItsOwnCompletionWithItsOwnContext(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CallbackRecorder other = new CallbackRecorder();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_057
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_060
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_061
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, recorder, "first");
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {2})}, other, "second");
            assertArrayEquals(new byte[] {1, 2}, pair.peerRead(2));
            assertEquals("first", recorder.next().context());
            assertEquals("second", other.next().context());
            assertEquals(1, recorder.count());
            assertEquals(1, other.count());
        }
    }

    @EachTransport
    void aSendLargerThanTheSocketBuffersIsAcceptedAndCompletesOnceThePeerReadsIt(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] big = Bytes.random(16 << 20, 7);
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(big)}, recorder, null));
            assertEquals(Bytes.crc(big), Bytes.crc(pair.peerRead(big.length)));
            assertEquals(SendResult.OK, recorder.next().result());
        }
    }

    @EachTransport
    void aSendOfMoreThanTwoGibibytesIsAcceptedAndArrivesWhole(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            int mebibyte = 1 << 20;
            byte[] pattern = Bytes.random(mebibyte, 8);
            ByteBuffer shared = Bytes.direct(pattern);
            ByteBuffer[] views = new ByteBuffer[2049]; // 2,148,532,224 bytes: past Integer.MAX_VALUE, under UINT32_MAX
            for (int i = 0; i < views.length; i++) {
                views[i] = shared.duplicate();
            }
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(views, recorder, null));
            java.io.InputStream in = pair.peer().getInputStream();
            byte[] chunk = new byte[mebibyte];
            for (int i = 0; i < views.length; i++) {
                assertEquals(mebibyte, in.readNBytes(chunk, 0, mebibyte));
                assertArrayEquals(pattern, chunk, "mebibyte " + i);
            }
            assertEquals(SendResult.OK, recorder.next().result());
        }
    }
}
