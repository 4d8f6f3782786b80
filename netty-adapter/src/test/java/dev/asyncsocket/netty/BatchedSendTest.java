package dev.asyncsocket.netty;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Frames;
import dev.asyncsocket.netty.testing.LimitFlipper;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sends below the engine's copy threshold that the event loop starts one after the other leave as one write
 * of a copy (issue 14), with the contract unchanged: order, whole sends, one callback each, results at a
 * failure or a close. The sends are queued while the loop is held inside a callback (or made on the loop), so
 * that one drain starts them all. The peer reads nothing at first and a large send fills the connection, so
 * that the writes wait in Netty's outbound buffer, where the test counts them (no handler in front: with one,
 * nothing is copied).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchedSendTest {

    private static final int SMALL = 100;
    /** The copy threshold of the engines here. */
    private static final int COPY_BELOW = 1024;
    /** More than the kernel's buffers of a loopback connection take. */
    private static final int JAM_BYTES = 32 << 20;

    private final CallbackRecorder recorder = new CallbackRecorder();

    /** An open pair on an engine that copies sends below {@code copyBelow} bytes. */
    private static LoopbackPair openCopyingBelow(NettyTransport transport, int copyBelow) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        engine.sendCopyThreshold(copyBelow);
        return LoopbackPair.open(engine);
    }

    /** Sends {@link #JAM_BYTES} as context 0, which the peer does not read yet: later writes wait behind it. */
    private void jam(LoopbackPair pair) {
        jamAs(pair, 0);
    }

    /** As {@link #jam}, as context {@code context}. */
    private void jamAs(LoopbackPair pair, int context) {
        assertEquals(SendSyncResult.OK,
                pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(JAM_BYTES)}, recorder, context));
    }

    /** The writes waiting in Netty's outbound buffer, oldest first, read on the event loop. */
    private static List<ByteBuf> waitingWrites(LoopbackPair pair) throws Exception {
        Channel channel = pair.transport().channel();
        return channel.eventLoop().submit(() -> {
            List<ByteBuf> writes = new ArrayList<>();
            channel.unsafe().outboundBuffer().forEachFlushedMessage(msg -> writes.add((ByteBuf) msg));
            return writes;
        }).get(10, TimeUnit.SECONDS);
    }

    /** Sends {@code count} direct buffers of {@code size} bytes, contexts 1.., while the loop is held. */
    private byte[] sendWhileHeld(LoopbackPair pair, int count, int size) throws Exception {
        byte[] all = Bytes.random(count * size, count);
        CountDownLatch release = pair.holdInsideACallback();
        for (int i = 0; i < count; i++) {
            ByteBuffer one = Bytes.direct(Arrays.copyOfRange(all, i * size, (i + 1) * size));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {one}, recorder, i + 1));
        }
        release.countDown();
        pair.awaitEventLoopTurn();
        return all;
    }

    /** On the event loop, as a callback would: sends {@code buffer} as context 0, then runs {@code then}. */
    private void sendOnTheLoopThen(LoopbackPair pair, ByteBuffer buffer, Runnable then) throws Exception {
        pair.onTheLoop(() -> {
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {buffer}, recorder, 0));
            then.run();
            return null;
        });
    }

    /** The peer reads {@code sends}' bytes one after the other, and their callbacks (contexts 0..) ran in order, OK. */
    private void assertPeerReadSendsInOrder(LoopbackPair pair, byte[]... sends) throws Exception {
        for (int i = 0; i < sends.length; i++) {
            assertArrayEquals(sends[i], pair.peerRead(sends[i].length), "send " + i);
        }
        assertCompletedInOrder(sends.length, SendResult.OK);
    }

    /** Reads the jam, then returns the {@code count} bytes after it. */
    private static byte[] peerReadAfterJam(LoopbackPair pair, int count) throws Exception {
        pair.peerRead(JAM_BYTES);
        return pair.peerRead(count);
    }

    /** The sizes of the writes after the jam. */
    private static List<Integer> sizesAfterJam(List<ByteBuf> writes) {
        return writes.subList(1, writes.size()).stream().map(ByteBuf::readableBytes).collect(Collectors.toList());
    }

    private void assertCompletedInOrder(int count, SendResult... expected) throws InterruptedException {
        List<CallbackRecorder.Callback> done = recorder.next(count);
        for (int i = 0; i < count; i++) {
            assertEquals(i, done.get(i).context(), "callbacks in the order of the sends");
            assertEquals(expected[Math.min(i, expected.length - 1)], done.get(i).result(), "send " + i);
        }
    }

    @EachTransport
    void smallSendsStartedTogetherLeaveAsOneWriteAndCompleteInOrder(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            jam(pair);
            byte[] sent = sendWhileHeld(pair, 50, SMALL);
            List<ByteBuf> writes = waitingWrites(pair);
            assertEquals(List.of(50 * SMALL), sizesAfterJam(writes), "one write for the burst");
            assertArrayEquals(sent, peerReadAfterJam(pair, sent.length));
            assertCompletedInOrder(51, SendResult.OK);
            pair.awaitEventLoopTurn();
            assertEquals(0, writes.get(1).refCnt(), "the batch's buffer went back to its pool");
        }
    }

    @EachTransport
    void aCopiedSendTakesTheBytesBoundedAtTheCallAndLeavesTheCallersBufferAsItWas(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            byte[] payload = Bytes.random(3 * SMALL, 7);
            ByteBuffer shared = Bytes.direct(payload);
            shared.position(SMALL); // the send is the middle third; the same buffer goes out twice
            shared.limit(2 * SMALL);
            CountDownLatch release = pair.holdInsideACallback();
            for (int context = 0; context < 2; context++) {
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {shared}, recorder, context));
            }
            shared.limit(SMALL + 1); // a broken contract, before the loop copies: the sends keep their bounds
            release.countDown();
            byte[] middle = Arrays.copyOfRange(payload, SMALL, 2 * SMALL);
            assertPeerReadSendsInOrder(pair, middle, middle);
            assertEquals(SMALL, shared.position(), "the caller's position is untouched");
            assertEquals(SMALL + 1, shared.limit(), "the caller's limit is as the caller left it");
        }
    }

    @EachTransport
    void aCopiedSendWhoseLimitAnotherThreadMovesUntilTheLoopCopiesItStillSendsItsBytesOk(NettyTransport transport)
            throws Exception {
        int size = 8;
        int sends = 5_000;
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            byte[] sent = LimitFlipper.sendWhileTheLimitMoves(pair, recorder, sends, size,
                    () -> assertCompletedInOrder(sends, SendResult.OK));
            for (int i = 0; i < sends; i++) {
                assertArrayEquals(sent, pair.peerRead(size), "send " + i);
            }
        }
    }

    @EachTransport
    void smallSendsFromAReadOnlyFileMappingAreCopiedWhole(NettyTransport transport) throws Exception {
        byte[] payload = Bytes.random(3 * SMALL, 9);
        Path file = Files.write(Files.createTempFile("mapped", ".bin"), payload);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, payload.length);
            CountDownLatch release = pair.holdInsideACallback();
            for (int context = 0; context < 3; context++) {
                mapped.limit((context + 1) * SMALL).position(context * SMALL);
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {mapped}, recorder, context));
            }
            release.countDown();
            assertPeerReadSendsInOrder(pair, Arrays.copyOf(payload, SMALL), Arrays.copyOfRange(payload, SMALL, 2 * SMALL),
                    Arrays.copyOfRange(payload, 2 * SMALL, 3 * SMALL));
        } finally {
            Files.delete(file);
        }
    }

    @EachTransport
    void aBurstLargerThanTheBatchBoundLeavesAsSeveralWritesOfAtMostTheBound(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            jam(pair);
            int size = COPY_BELOW - 1;
            int count = 3 * SendBatcher.MAX_BATCH_BYTES / size + 1;
            byte[] sent = sendWhileHeld(pair, count, size);
            List<Integer> sizes = sizesAfterJam(waitingWrites(pair));
            assertTrue(sizes.size() >= 4 && sizes.size() < count, "writes: " + sizes);
            for (int bytes : sizes) {
                assertTrue(bytes <= SendBatcher.MAX_BATCH_BYTES, "writes: " + sizes);
            }
            assertArrayEquals(sent, peerReadAfterJam(pair, sent.length));
            assertCompletedInOrder(count + 1, SendResult.OK);
        }
    }

    @EachTransport
    void withAThresholdOfZeroEverySendIsWrappedAndWrittenAlone(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, 0)) {
            jam(pair);
            byte[] sent = sendWhileHeld(pair, 10, SMALL);
            List<ByteBuf> writes = waitingWrites(pair);
            assertEquals(11, writes.size());
            for (ByteBuf write : writes) {
                assertEquals(CallerBufferView.class, write.getClass(), "the caller's buffer, not a copy");
            }
            assertArrayEquals(sent, peerReadAfterJam(pair, sent.length));
            assertCompletedInOrder(11, SendResult.OK);
        }
    }

    @EachTransport
    void aSendAtTheThresholdIsWrappedWhileTheSmallOnesAroundItAreCopiedInOrder(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            jam(pair);
            byte[] small = Bytes.random(2 * SMALL, 1);
            byte[] large = Bytes.random(COPY_BELOW, 2);
            CountDownLatch release = pair.holdInsideACallback();
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(small, 0, SMALL)}, recorder, 1);
            pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(large)}, recorder, 2);
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(small, SMALL, SMALL)}, recorder, 3);
            release.countDown();
            pair.awaitEventLoopTurn();
            List<ByteBuf> writes = waitingWrites(pair);
            assertEquals(List.of(SMALL, large.length, SMALL), sizesAfterJam(writes));
            assertEquals(CallerBufferView.class, writes.get(2).getClass());
            assertArrayEquals(Arrays.copyOf(small, SMALL), peerReadAfterJam(pair, SMALL));
            assertArrayEquals(large, pair.peerRead(large.length));
            assertArrayEquals(Arrays.copyOfRange(small, SMALL, 2 * SMALL), pair.peerRead(SMALL));
            assertCompletedInOrder(4, SendResult.OK);
        }
    }

    @EachTransport
    void aSendOfMoreBuffersThanOneWriteTakesLeavesAfterTheSmallSendsCopiedBeforeIt(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            byte[] small = Bytes.random(SMALL, 1);
            byte[] oversize = Bytes.random(SendOperation.MAX_BUFFERS_PER_WRITE + 1, 2); // two writes, one byte each
            ByteBuffer[] buffers = new ByteBuffer[oversize.length];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = ByteBuffer.wrap(oversize, i, 1);
            }
            // The small one is copied, the oversize one starts right after it.
            sendOnTheLoopThen(pair, Bytes.direct(small),
                    () -> assertEquals(SendSyncResult.OK, pair.socket().sendAsync(buffers, recorder, 1)));
            assertPeerReadSendsInOrder(pair, small, oversize);
        }
    }

    @EachTransport
    void aCodecAddedOnTheLoopRightAfterASendAsStartTlsDoesTransformsOnlyTheSendsAfterIt(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            byte[] reply = Bytes.random(SMALL, 1);
            byte[] after = Bytes.random(SMALL, 2);
            // As a receive callback that answers STARTTLS does: the answer, then the codec.
            sendOnTheLoopThen(pair, ByteBuffer.wrap(reply),
                    () -> pair.transport().channel().pipeline().addFirst(new PipelineTest.XorHandler()));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(after)}, recorder, 1));
            assertPeerReadSendsInOrder(pair, reply, PipelineTest.XorHandler.xor(after)); // the answer as it was
        }
    }

    @EachTransport
    void aBatchWrittenPastAHandlerThatFlushesWhenTheChannelTurnsUnwritableLeavesEachWriteItsOwnOutcome(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            Channel channel = pair.transport().channel();
            byte[] first = Bytes.random(COPY_BELOW, 1);
            int smalls = SendBatcher.MAX_BATCH_BYTES / SMALL - 10;
            // The wrapped sends stay below the high water mark; the batch behind them takes the channel past it.
            int high = first.length + JAM_BYTES + SendBatcher.MAX_BATCH_BYTES / 2;
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
            pair.onTheLoop(() -> { // one task, as a receive callback that answers STARTTLS and adds TLS
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(first)}, recorder, 0));
                jamAs(pair, 1);
                for (int i = 0; i < smalls; i++) {
                    assertEquals(SendSyncResult.OK,
                            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(SMALL)}, recorder, 2 + i));
                }
                channel.pipeline().addFirst(new FlushesWhenUnwritable());
                return null;
            });
            // The drain wrote the batch; the handler's flush inside that write sent the first send whole, and the
            // peer, reading nothing, holds up the jam and the batch behind it until the close fails them.
            pair.closeSocketWithin();
            assertArrayEquals(first, pair.peerRead(first.length));
            assertCompletedInOrder(2 + smalls, SendResult.OK, SendResult.ABANDONED);
        }
    }

    /**
     * Flushes when the channel turns unwritable, inside the write that made it so, as Netty's
     * FlushConsolidationHandler does with the flushes it held back.
     */
    private static final class FlushesWhenUnwritable extends ChannelInboundHandlerAdapter {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!ctx.channel().isWritable()) {
                ctx.flush();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    @EachTransport
    void withAnotherHandlerInThePipelineEverySendIsItsOwnWrite(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            pair.transport().channel().pipeline().addLast(new ChannelOutboundHandlerAdapter()); // behind the socket's
            jam(pair);
            byte[] sent = sendWhileHeld(pair, 10, SMALL);
            assertEquals(11, waitingWrites(pair).size(), "a codec in front may frame each write");
            assertArrayEquals(sent, peerReadAfterJam(pair, sent.length));
            assertCompletedInOrder(11, SendResult.OK);
        }
    }

    @EachTransport
    void aBatchWhoseWriteFailsPartWayCompletesOkTheSendsWhollyWrittenAndTheRestError(NettyTransport transport)
            throws Exception {
        // Failing the write at the head of Netty's outbound buffer, as a write error does, is safe where the
        // transport writes from the event loop; io_uring's kernel may still be reading that buffer.
        assumeTrue(transport != NettyTransport.IO_URING, "io_uring: the kernel may hold the write");
        int perBurst = SendBatcher.MAX_BATCH_BYTES / SMALL;
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            Channel channel = pair.transport().channel();
            int bursts = 0;
            List<ByteBuf> waiting;
            do {
                int first = bursts++ * perBurst;
                channel.eventLoop().submit(() -> { // made on the loop: one drain, one batch
                    for (int i = 0; i < perBurst; i++) {
                        pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(SMALL)}, recorder, first + i);
                    }
                }).get(10, TimeUnit.SECONDS);
                pair.awaitEventLoopTurn();
                waiting = waitingWrites(pair);
            } while (waiting.size() < 2 && bursts < 4000);
            int failedBurst = bursts - waiting.size();
            int written = channel.eventLoop().submit(() -> {
                ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
                int readerIndex = ((ByteBuf) out.current()).readerIndex();
                out.remove(new IOException("injected write failure"));
                return readerIndex;
            }).get(10, TimeUnit.SECONDS);
            System.out.printf("%s: the failed batch had written %d of %d B%n", transport, written, perBurst * SMALL);
            pair.closeSocketWithin();
            List<CallbackRecorder.Callback> done = recorder.next(bursts * perBurst);
            for (int i = 0; i < done.size(); i++) {
                int inBatch = i - failedBurst * perBurst;
                SendResult expected = inBatch < 0 || (inBatch < perBurst && (inBatch + 1) * SMALL <= written)
                        ? SendResult.OK : inBatch < perBurst ? SendResult.ERROR : SendResult.ABANDONED;
                assertEquals(i, done.get(i).context(), "callbacks in the order of the sends");
                assertEquals(expected, done.get(i).result(), "send " + i + ", the batch failed after " + written + " B");
            }
        }
    }

    @EachTransport
    void closingWhileBatchesWaitInTheOutboundBufferCompletesEachSendOnceInOrder(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            jam(pair);
            int count = 1 + 2 * SendBatcher.MAX_BATCH_BYTES / SMALL;
            for (int i = 1; i < count; i++) {
                pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[SMALL])}, recorder, i);
            }
            List<ByteBuf> writes;
            while ((writes = waitingWrites(pair)).stream().mapToInt(ByteBuf::readableBytes).sum() - writes.get(0).readableBytes()
                    < (count - 1) * SMALL) {
                pair.awaitEventLoopTurn();
            }
            assertTrue(writes.size() < count, "the small sends were batched: " + writes.size() + " writes");
            pair.closeSocketWithin();
            assertCompletedInOrder(count, SendResult.ABANDONED);
        }
    }

    @EachTransport
    void theEngineShuttingDownWhileSmallSendsWaitToBeCopiedCompletesEachOnceInOrder(NettyTransport transport)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.sendCopyThreshold(COPY_BELOW);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            jam(pair);
            int count = 1 + 3 * SendBatcher.MAX_BATCH_BYTES / SMALL;
            CountDownLatch release = pair.holdInsideACallback();
            for (int i = 1; i < count; i++) {
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(SMALL)}, recorder, i));
            }
            engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
            release.countDown();
            List<CallbackRecorder.Callback> done = recorder.next(count);
            for (int i = 0; i < count; i++) {
                assertEquals(i, done.get(i).context(), "callbacks in the order of the sends");
            }
            assertTrue(engine.eventLoopGroup().terminationFuture().await(10, TimeUnit.SECONDS));
            pair.socket().close();
            assertEquals(count, recorder.count(), "one callback each");
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void framedSendsFromManyThreadsStayWholeAndInEachThreadsOrderWhenBatched(NettyTransport transport)
            throws Exception {
        int threads = 8;
        int perThread = 500;
        try (LoopbackPair pair = openCopyingBelow(transport, COPY_BELOW)) {
            jam(pair);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int seq = 0; seq < perThread; seq++) {
                        assertEquals(SendSyncResult.OK, pair.socket().sendAsync(Frames.frame(thread, seq), recorder,
                                1 + thread * perThread + seq));
                    }
                }));
            }
            CompletableFuture.allOf(senders.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            pair.awaitEventLoopTurn();
            int writes = waitingWrites(pair).size() - 1;
            pair.peerRead(JAM_BYTES);
            Frames.readInOrder(pair.peer().getInputStream(), threads, perThread);
            int[] next = new int[threads];
            List<CallbackRecorder.Callback> done = recorder.next(1 + threads * perThread);
            for (CallbackRecorder.Callback callback : done.subList(1, done.size())) {
                assertEquals(SendResult.OK, callback.result());
                int context = (Integer) callback.context() - 1;
                assertEquals(next[context / perThread]++, context % perThread, "each thread's callbacks in order");
            }
            assertTrue(writes < threads * perThread / 4, writes + " writes for " + threads * perThread + " sends");
        }
    }

    @Test
    void theThresholdIsBetweenZeroAndTheBatchBound() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        try {
            assertEquals(NettyExecutionEngine.DEFAULT_SEND_COPY_THRESHOLD, engine.sendCopyThreshold(), "the default");
            assertThrows(IllegalArgumentException.class, () -> engine.sendCopyThreshold(-1));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.sendCopyThreshold(NettyExecutionEngine.MAX_SEND_COPY_THRESHOLD + 1));
            engine.sendCopyThreshold(COPY_BELOW);
            assertEquals(COPY_BELOW, engine.sendCopyThreshold());
        } finally {
            engine.decRef();
        }
    }
}
