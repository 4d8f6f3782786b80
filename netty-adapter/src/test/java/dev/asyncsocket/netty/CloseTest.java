package dev.asyncsocket.netty;

import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Latches;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.Polling;
import dev.asyncsocket.netty.testing.WarningRecorder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloseTest {

    /** 128 KiB: eight of them make a send of 1 MiB that goes out in one gathered write. */
    private static final ByteBuffer EIGHTH_OF_A_MEBIBYTE = Bytes.direct(Bytes.random(1 << 17, 1));

    private final CallbackRecorder recorder = new CallbackRecorder();
    /** How many sends {@link #sendMebibytesOfEightBuffersWhileTheLoopIsHeld} made; each one's context is its number. */
    private int sent;

    @EachTransport
    void closingASocketThatIsNotOpenDoesNothing(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_022
            pair.socket().close();
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertTrue(pair.transport().channel().isActive(), "a transport never opened stays with the caller");
        }
    }

    @EachTransport
    void closeClosesTheChannelAndUnplugsTheSocketFromIt(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            Channel channel = pair.transport().channel();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_019
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_021
            pair.socket().close();
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertFalse(channel.isOpen());
            assertEquals(-1, pair.peer().getInputStream().read(), "the peer sees the connection end");
            pair.awaitEventLoopTurn();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_059
            assertNull(channel.pipeline().get(TailHandler.class));
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_042
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_022
            pair.socket().close();
            assertEquals(SendSyncResult.NOT_OPEN, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
        }
    }

    @EachTransport
    void pendingReceivesCompleteAbandonedWithZeroBytesBeforeCloseReturns(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4)}, recorder, i));
            }
            pair.socket().close();
            List<CallbackRecorder.Callback> done = recorder.all();
            assertEquals(5, done.size(), "every callback ran before close returned");
            for (int i = 0; i < 5; i++) {
                assertEquals(ReceiveResult.ABANDONED, done.get(i).result());
                assertEquals(0, done.get(i).bytes());
                assertEquals(i, done.get(i).context());
            }
        }
    }

    /**
     * A close that meets receives already posted and others still in the inbox (a drain starts 128 at a time,
     * then lets the loop do its I/O): they all complete ABANDONED in the order they were posted.
     */
    @EachTransport
    void receivesStillInTheInboxAtTheCloseCompleteAfterThoseAlreadyPosted(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CountDownLatch release = new CountDownLatch(1);
            pair.transport().channel().eventLoop().execute(() -> Latches.awaitQuietly(release));
            int count = 2 * Connection.MAX_STARTS_PER_DRAIN;
            for (int i = 0; i < count; i++) {
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4)}, recorder, i));
            }
            Thread closer = new Thread(pair.socket()::close);
            closer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (closer.getState() != Thread.State.TIMED_WAITING) { // waiting for the callbacks: its task is queued
                assertTrue(System.nanoTime() < deadline, "the close never began waiting");
                Thread.onSpinWait();
            }
            release.countDown();
            closer.join(10_000);
            List<CallbackRecorder.Callback> done = recorder.all();
            assertEquals(count, done.size());
            for (int i = 0; i < count; i++) {
                assertEquals(ReceiveResult.ABANDONED, done.get(i).result());
                assertEquals(i, done.get(i).context(), "in the order posted");
            }
        }
    }

    @EachTransport
    void pendingSendsCompleteOkIfWrittenElseAbandonedBeforeCloseReturns(NettyTransport transport) throws Exception {
        ByteBuffer mebibyte = Bytes.direct(Bytes.random(1 << 20, 1));
        closeWhilePendingSendsOfAMebibyte(transport, () -> new ByteBuffer[] {mebibyte.duplicate()}, false);
    }

    /**
     * Behind a handler in front that passes writes on, the close finds the sends' writes in the transport (on
     * io_uring, some in the kernel): they end as the transport ends them, and none is taken for a write whose
     * promise a handler dropped (which the socket ends itself once the pipeline is torn down, with a warning).
     */
    @EachTransport
    void pendingSendsBehindAHandlerInFrontEndAsTheTransportEndsThemNotAsDroppedWrites(NettyTransport transport)
            throws Exception {
        ByteBuffer mebibyte = Bytes.direct(Bytes.random(1 << 20, 1));
        try (WarningRecorder warnings = WarningRecorder.start()) {
            closeWhilePendingSendsOfAMebibyte(transport, () -> new ByteBuffer[] {mebibyte.duplicate()}, true);
            assertEquals(List.of(), warnings.warnings().stream()
                    .filter(warning -> warning.contains("send(s)")).toList()); // neither dropped nor held
        }
    }

    /** Each send eight buffers gathered into one write: the close comes in the middle of one. */
    @EachTransport
    void pendingSendsOfManyBuffersCompleteOkIfWrittenElseAbandonedBeforeCloseReturns(NettyTransport transport)
            throws Exception {
        ByteBuffer eighth = Bytes.direct(Bytes.random(1 << 17, 1));
        closeWhilePendingSendsOfAMebibyte(transport, () -> {
            ByteBuffer[] payload = new ByteBuffer[8];
            Arrays.setAll(payload, i -> eighth.duplicate());
            return payload;
        }, false);
    }

    private void closeWhilePendingSendsOfAMebibyte(NettyTransport transport, Supplier<ByteBuffer[]> payload,
                                                   boolean behindAHandler) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            if (behindAHandler) {
                pair.transport().channel().pipeline().addFirst(new ChannelOutboundHandlerAdapter());
            }
            int sends = 48;
            for (int i = 0; i < sends; i++) {
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload.get(), recorder, i));
            }
            assertEquals(SendResult.OK, recorder.next().result(), "the first send fits in the socket buffers");
            pair.socket().close();
            List<CallbackRecorder.Callback> done = recorder.all();
            assertEquals(sends, done.size(), "every callback ran before close returned");
            int firstAbandoned = sends;
            for (int i = 0; i < sends; i++) {
                assertEquals(i, done.get(i).context(), "in the order of the sends");
                if (done.get(i).result() != SendResult.OK) {
                    firstAbandoned = Math.min(firstAbandoned, i);
                    assertEquals(SendResult.ABANDONED, done.get(i).result());
                }
                assertTrue(i < firstAbandoned || done.get(i).result() == SendResult.ABANDONED, "written sends come first");
            }
            assertTrue(firstAbandoned < sends, "48 MiB cannot all be in the socket buffers of a peer that does not read");
            // Every OK send reached the peer whole. An ABANDONED one was not confirmed written when the close came;
            // with io_uring the kernel may already have held some of its bytes, so the peer may see those too.
            long atPeer = pair.peerReadToEof();
            assertTrue(atPeer >= (long) firstAbandoned << 20, "the peer got the OK sends whole: " + atPeer);
            assertTrue(atPeer <= (long) sends << 20);
        }
    }

    /**
     * The pipeline's owner closes the channel while sends wait in the inbox (its event loop was busy): they
     * start on a channel without an outbound buffer, a lone buffer and several alike, and complete ABANDONED
     * in order.
     */
    @EachTransport
    void sendsThatStartAfterThePipelineOwnerClosedTheChannelCompleteAbandonedInOrder(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            Channel channel = pair.transport().channel();
            CountDownLatch release = new CountDownLatch(1);
            channel.eventLoop().execute(() -> {
                Latches.awaitQuietly(release);
                channel.close();
            });
            ByteBuffer kibibyte = Bytes.direct(Bytes.random(1024, 4));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {kibibyte.duplicate()}, recorder, 0));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(
                    new ByteBuffer[] {kibibyte.duplicate(), kibibyte.duplicate()}, recorder, 1));
            release.countDown();
            List<CallbackRecorder.Callback> done = recorder.next(2);
            assertEquals(List.of(0, 1), done.stream().map(CallbackRecorder.Callback::context).toList());
            assertEquals(List.of(SendResult.ABANDONED, SendResult.ABANDONED),
                    done.stream().map(CallbackRecorder.Callback::result).toList());
        }
    }

    /**
     * The pipeline's owner closes the channel from a send's callback, which runs while Netty takes that send's
     * write out of its outbound buffer: the writes behind it fail right there, nested in that removal. Each send
     * still completes once, in the order of the sends.
     */
    @EachTransport
    void thePipelineOwnerClosingTheChannelFromASendCallbackEndsTheSendsBehindItOnceEachInOrder(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            Channel channel = pair.transport().channel();
            OnSendComplete<Object> closingAfterTheFirst = (context, result) -> {
                recorder.onSendComplete(context, result);
                if ((Integer) context == 0) {
                    channel.close();
                }
            };
            int sends = 48;
            // Started by one drain and flushed at once: the first write completes with the others still queued.
            sendMebibytesOfEightBuffersWhileTheLoopIsHeld(pair, sends, closingAfterTheFirst, () -> { });
            assertEquals(SendResult.OK, recorder.next().result(), "the first send fits in the socket buffers");
            assertWrittenThenCutThenAbandonedOnceEachInOrder(pair, 1, sends);
        }
    }

    /**
     * With SO_LINGER set, Netty closes the socket on another thread and fails the writes still in its outbound
     * buffer only after that, back on the event loop; sends that start in between are refused at once, ahead of
     * those older writes. Each send still completes once, in the order of the sends.
     */
    @EachTransport
    void sendsRefusedWhileALingeringCloseStillHoldsOlderWritesCompleteOnceEachInOrder(NettyTransport transport)
            throws Exception {
        sendAfterALingeringCloseAndAssertEachCompletesOnceInOrder(transport, 4, CloseTest::mebibyteOfEightBuffers);
    }

    /**
     * As above, with small sends after the close: the drain copies them into a batch, which Netty refuses at
     * once, ahead of the older writes (where the transport closes on another thread: NIO, epoll).
     */
    @EachTransport
    void aBatchRefusedWhileALingeringCloseStillHoldsOlderWritesCompletesOnceEachInOrder(NettyTransport transport)
            throws Exception {
        ByteBuffer small = Bytes.direct(Bytes.random(NettyExecutionEngine.DEFAULT_SEND_COPY_THRESHOLD - 1, 5));
        sendAfterALingeringCloseAndAssertEachCompletesOnceInOrder(transport, 40,
                () -> new ByteBuffer[] {small.duplicate()});
    }

    /**
     * Sends 16 MiB that the peer does not read, sets SO_LINGER and closes the channel as the pipeline's owner,
     * with {@code after} sends of {@code payload} starting right after the close: each send completes once, in
     * order, and those that started on the closed channel ABANDONED.
     */
    private void sendAfterALingeringCloseAndAssertEachCompletesOnceInOrder(NettyTransport transport, int after,
                                                                        Supplier<ByteBuffer[]> payload)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            Channel channel = pair.transport().channel();
            assertTrue(channel.config().setOption(ChannelOption.SO_LINGER, 1));
            int before = 16;
            sendMebibytesOfEightBuffersWhileTheLoopIsHeld(pair, before, recorder, () -> { });
            assertEquals(SendResult.OK, recorder.next().result(), "the first send fits in the socket buffers");
            // These start on the loop right after the owner's close, which leaves the older writes queued.
            sendWhileTheLoopIsHeld(pair, after, payload, recorder, channel::close);
            List<CallbackRecorder.Callback> done = assertWrittenThenCutThenAbandonedOnceEachInOrder(pair, 1, before + after);
            assertEquals(Collections.nCopies(after, SendResult.ABANDONED),
                    done.subList(done.size() - after, done.size()).stream().map(CallbackRecorder.Callback::result).toList(),
                    "the sends that started on the closed channel");
        }
    }

    /**
     * Holds the event loop, accepts {@code count} sends of 1 MiB over eight direct buffers (numbered on from the
     * sends so far), and lets the loop go on with {@code first} and then the sends' drain.
     */
    private void sendMebibytesOfEightBuffersWhileTheLoopIsHeld(LoopbackPair pair, int count,
                                                              OnSendComplete<Object> callback, Runnable first) {
        sendWhileTheLoopIsHeld(pair, count, CloseTest::mebibyteOfEightBuffers, callback, first);
    }

    /** 1 MiB over eight direct buffers. */
    private static ByteBuffer[] mebibyteOfEightBuffers() {
        ByteBuffer[] payload = new ByteBuffer[8];
        Arrays.setAll(payload, b -> EIGHTH_OF_A_MEBIBYTE.duplicate());
        return payload;
    }

    /**
     * Holds the event loop, accepts {@code count} sends of what {@code payload} makes (numbered on from the sends
     * so far), and lets the loop go on with {@code first} and then the sends' drain.
     */
    private void sendWhileTheLoopIsHeld(LoopbackPair pair, int count, Supplier<ByteBuffer[]> payload,
                                        OnSendComplete<Object> callback, Runnable first) {
        CountDownLatch release = new CountDownLatch(1);
        pair.transport().channel().eventLoop().execute(() -> {
            Latches.awaitQuietly(release);
            first.run();
        });
        try {
            for (int i = 0; i < count; i++) {
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payload.get(), callback, sent++));
            }
        } finally {
            release.countDown();
        }
    }

    /**
     * Takes the callbacks of sends {@code from} to {@code to - 1} and checks that each came once, in order: the
     * sends written whole OK, then at most the one the close cut part-way ERROR, then the others ABANDONED.
     */
    private List<CallbackRecorder.Callback> assertWrittenThenCutThenAbandonedOnceEachInOrder(LoopbackPair pair,
                                                                                             int from, int to)
            throws InterruptedException {
        List<CallbackRecorder.Callback> done = recorder.next(to - from);
        assertEquals(IntStream.range(from, to).boxed().toList(),
                done.stream().map(CallbackRecorder.Callback::context).toList(), "in the order of the sends");
        List<SendResult> results = done.stream().map(c -> (SendResult) c.result()).toList();
        int written = 0;
        while (written < results.size() && results.get(written) == SendResult.OK) {
            written++;
        }
        int cut = written < results.size() && results.get(written) == SendResult.ERROR ? written + 1 : written;
        assertTrue(cut < results.size(), "the peer, which does not read, cannot have taken every send: " + results);
        assertEquals(Collections.nCopies(results.size() - cut, SendResult.ABANDONED), results.subList(cut, results.size()),
                "after the sends written whole and the one cut part-way: " + results);
        pair.awaitEventLoopTurn();
        assertEquals(to, recorder.count(), "one callback each");
        return done;
    }

    /**
     * A handler in front that drops a write, releasing it, without completing its promise (a bug Netty's rules
     * forbid, but one an owner's handler may have): the send has no outcome. The close should still return, the
     * send ending ABANDONED, since nothing can be written once the channel is closed.
     */
    @EachTransport
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // the close hangs: so does the pair's
    void closeReturnsAndAbandonsASendWhoseWriteAHandlerInFrontDroppedWithoutCompletingItsPromise(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            CountDownLatch droppedWrite = new CountDownLatch(1);
            pair.transport().channel().pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    ReferenceCountUtil.release(msg);
                    droppedWrite.countDown();
                }
            });
            CallbackRecorder opened = new CallbackRecorder();
            assertEquals(0, pair.socket().openAsync(pair.transport(), opened, null));
            opened.next();
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null));
            assertTrue(droppedWrite.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS), "no write reached the handler");
            pair.closeSocketWithin();
            assertEquals(List.of(SendResult.ABANDONED, SendResult.ABANDONED),
                    recorder.next(2).stream().map(CallbackRecorder.Callback::result).toList());
            assertEquals(FailureKind.CLOSED_LOCALLY, pair.socket().lastFailure().kind());
        }
    }

    /**
     * A handler in front that holds writes to pass them on later (from a thread of its own, say) still holds the
     * caller's memory when the channel closes and its pipeline is torn down: the sends end only once it lets
     * their writes go, never before, and a WARNING says so. Only a write let go with no outcome counts as dropped.
     */
    @EachTransport
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sendsWhoseWritesAHandlerInFrontStillHoldsAtTheCloseEndOnlyOnceItLetsThemGo(NettyTransport transport)
            throws Exception {
        HoldingWrites holder = new HoldingWrites();
        try (LoopbackPair pair = LoopbackPair.open(transport); WarningRecorder warnings = WarningRecorder.start()) {
            pair.onTheLoop(() -> pair.transport().channel().pipeline().addFirst(holder)); // in place on return
            // Above the copy threshold: a lone direct buffer (lent as a view) and a heap one (gathered).
            ByteBuffer direct = Bytes.direct(Bytes.random(4096, 3));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {direct}, recorder, null));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(4096)}, recorder, null));
            holder.awaitHolding(2);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(pair.socket()::close);
            assertTrue(holder.removed.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS), "no teardown");
            pair.awaitEventLoopTurn(); // the socket's task for the teardown, queued before the holder's removal
            assertEquals(List.of(), recorder.all(), "a send ended while a handler in front still held its write");
            assertEquals(1, warnings.warnings().stream().filter(warning -> warning.contains("2 send(s) still wait"))
                    .count(), () -> String.join("\n", warnings.warnings()));

            holder.letGo();
            assertEquals(List.of(SendResult.ABANDONED, SendResult.ABANDONED),
                    recorder.next(2).stream().map(CallbackRecorder.Callback::result).toList());
            closing.get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            holder.letGo();
        }
    }

    /** Holds every write it is given, until {@link #letGo}: then releases each and fails its promise. */
    private static final class HoldingWrites extends ChannelOutboundHandlerAdapter {
        private final List<Object> messages = new CopyOnWriteArrayList<>();
        private final List<ChannelPromise> promises = new CopyOnWriteArrayList<>();
        final CountDownLatch removed = new CountDownLatch(1);

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            messages.add(msg);
            promises.add(promise);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            removed.countDown();
        }

        void awaitHolding(int writes) throws InterruptedException {
            Polling.awaitTrue(() -> promises.size() >= writes, () -> "held " + promises.size() + " writes");
        }

        void letGo() {
            for (Object message : messages) {
                ReferenceCountUtil.release(message);
            }
            messages.clear();
            for (ChannelPromise promise : promises) {
                promise.tryFailure(new ClosedChannelException());
            }
            promises.clear();
        }
    }

    @EachTransport
    void closeWaitsForACallbackThatIsRunning(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CountDownLatch release = pair.holdInsideACallback();
            CompletableFuture<Void> close = CompletableFuture.runAsync(pair.socket()::close);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_040
            assertThrows(TimeoutException.class, () -> close.get(200, TimeUnit.MILLISECONDS),
                    "close must not return while a callback runs");
            release.countDown();
            close.get(10, TimeUnit.SECONDS);
            assertEquals(SocketState.CLOSED, pair.socket().state());
        }
    }

    @EachTransport
    void closeFromInsideACallbackReturnsAndTheOtherCallbacksRunAfterIt(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CompletableFuture<SocketState> stateInCallback = new CompletableFuture<>();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> {
                pair.socket().close();
                stateInCallback.complete(pair.socket().state());
                recorder.onReceiveComplete("closer", result, bytes);
            }, null);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, "second");
            pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(Bytes.random(64 << 20, 2))}, recorder, "send");
            pair.peerWrite(new byte[] {1});
            assertEquals(SocketState.CLOSING, stateInCallback.get(10, TimeUnit.SECONDS));
            List<CallbackRecorder.Callback> done = recorder.next(3);
            assertEquals("closer", done.get(0).context(), "the other callbacks run after the closing one returned");
            assertEquals(ReceiveResult.ABANDONED, resultFor(done, "second"));
            assertEquals(SendResult.ABANDONED, resultFor(done, "send"));
            pair.awaitEventLoopTurn();
            assertEquals(SocketState.CLOSED, pair.socket().state());
        }
    }

    @EachTransport
    void closeFromASendCallbackNeitherDeadlocksNorFails(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result) -> {
                pair.socket().close();
                recorder.onSendComplete(ctx, result);
            }, "first");
            assertEquals(SendResult.OK, recorder.next().result());
            pair.awaitEventLoopTurn();
            assertEquals(SocketState.CLOSED, pair.socket().state());
        }
    }

    @EachTransport
    void sendersRacingACloseGetExactlyOneCallbackPerAcceptedSend(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            int threads = 4;
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            CountDownLatch started = new CountDownLatch(threads);
            List<CompletableFuture<Void>> senders = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                senders.add(CompletableFuture.runAsync(() -> {
                    started.countDown();
                    while (pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(100)}, recorder, null)
                            == SendSyncResult.OK) {
                        accepted.incrementAndGet();
                    }
                }));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS));
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_020
            pair.socket().close();
            CompletableFuture.allOf(senders.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            assertEquals(accepted.get(), recorder.count(), "close returned after every accepted send's callback");
        }
    }

    private static Enum<?> resultFor(List<CallbackRecorder.Callback> callbacks, Object context) {
        return callbacks.stream().filter(c -> context.equals(c.context())).findFirst().orElseThrow().result();
    }

}
