package dev.asyncsocket.netty;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.StalledPeer;
import dev.asyncsocket.netty.testing.WarningRecorder;
import dev.asyncsocket.netty.testing.WritabilityRecorder;
import dev.asyncsocket.netty.testing.WritabilityRecorder.Told;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Send pressure: {@link NettyAsyncSocket#isWritable()} and its listener, with water marks crossed both ways
 * behind a peer that stalls and then reads.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SendPressureTest {

    private static final long DEFAULT_LOW = 32 * 1024;
    private static final long DEFAULT_HIGH = 64 * 1024;

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aStalledPeerTurnsTheSocketUnwritableOncePastTheHighMarkAndWritableOnceAtTheLowMarkWhenItReads(
            NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            NettyAsyncSocket socket = pair.socket();
            assertEquals(DEFAULT_LOW, socket.sendLowWaterMark());
            assertEquals(DEFAULT_HIGH, socket.sendHighWaterMark());
            assertTrue(socket.isWritable());
            WritabilityRecorder told = WritabilityRecorder.listenTo(socket);

            boolean[] writableAfter = StalledPeer.queueSends(pair, told, recorder);
            assertTrue(writableAfter[0], "64 KiB queued is not past the high mark");
            assertFalse(writableAfter[1], "128 KiB is: unwritable before that sendAsync returned");
            Told unwritable = told.told(0);
            assertFalse(unwritable.writable());
            assertTrue(pair.transport().channel().eventLoop().inEventLoop(unwritable.thread()), "on the event loop");
            assertFalse(unwritable.insideSendAsync(), "never on the stack of the sendAsync that went past the mark");

            pair.awaitEventLoopTurn(); // the loop has written what the socket buffers take
            assertFalse(socket.isWritable());
            assertTrue(socket.counters().queuedSendBytes() > DEFAULT_HIGH, socket.counters().toString());

            pair.peerSkip(StalledPeer.TOTAL);
            Told writable = told.told(1);
            assertTrue(writable.writable());
            assertTrue(writable.queuedBytes() <= DEFAULT_LOW, "told at the low mark or below: " + writable);
            assertTrue(pair.transport().channel().eventLoop().inEventLoop(writable.thread()));
            for (CallbackRecorder.Callback done : recorder.next(StalledPeer.COUNT)) {
                assertEquals(SendResult.OK, done.result());
            }
            pair.awaitEventLoopTurn();
            assertEquals(List.of(false, true), told.all().stream().map(Told::writable).toList(), "once each way");
            assertTrue(socket.isWritable());
            assertEquals(0, socket.counters().queuedSendBytes());
        }
    }

    @EachTransport
    void aProducerThatPausesWhileUnwritableKeepsAtMostTheHighMarkAndOneSendQueued(NettyTransport transport)
            throws Exception {
        long low = 256 * 1024;
        long high = 1024 * 1024;
        int chunk = 64 * 1024;
        long total = 64L << 20;
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            NettyAsyncSocket socket = pair.socket();
            assertEquals(0, socket.setSendWaterMarks(low, high));
            WritabilityRecorder told = WritabilityRecorder.listenTo(socket);
            AtomicLong mostQueued = new AtomicLong();
            AtomicInteger pauses = new AtomicInteger();
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                ByteBuffer bytes = ByteBuffer.allocateDirect(chunk);
                for (long sent = 0; sent < total; sent += chunk) {
                    if (awaitWritable(socket, told)) {
                        pauses.incrementAndGet();
                    }
                    assertEquals(SendSyncResult.OK, socket.sendAsync(new ByteBuffer[] {bytes}, recorder, null));
                    mostQueued.accumulateAndGet(socket.counters().queuedSendBytes(), Math::max);
                }
            });
            // The peer reads only once the producer was told to stop; then all of it.
            assertFalse(told.told(0).writable());
            pair.peerSkip(total);
            producer.get(CallbackRecorder.TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
            for (CallbackRecorder.Callback done : recorder.next((int) (total / chunk))) {
                assertEquals(SendResult.OK, done.result());
            }
            told.awaitWritableFrom(told.count() - 1);

            assertTrue(pauses.get() >= 1, "the producer paused");
            assertTrue(mostQueued.get() <= high + chunk, "queued at most the high mark and one send, not " + mostQueued);
            List<Told> all = told.all();
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i % 2 == 1, all.get(i).writable(), "alternating, unwritable first: " + all);
            }
            assertTrue(all.get(all.size() - 1).writable());
        }
    }

    @EachTransport
    void sendersRacingTheLoopNeverLeaveTheSocketUnwritableWithNothingQueued(NettyTransport transport) throws Exception {
        int threads = 4;
        int sendsPerThread = 250;
        int size = 4 * 1024;
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            NettyAsyncSocket socket = pair.socket();
            assertEquals(0, socket.setSendWaterMarks(8 * 1024, 16 * 1024)); // crossed both ways all the time
            WritabilityRecorder told = WritabilityRecorder.listenTo(socket);
            for (int round = 1; round <= 2; round++) {
                List<CompletableFuture<Void>> senders = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    senders.add(CompletableFuture.runAsync(() -> {
                        ByteBuffer bytes = ByteBuffer.allocateDirect(size);
                        for (int i = 0; i < sendsPerThread; i++) {
                            awaitWritable(socket, told); // so that the queue hovers around the marks
                            assertEquals(SendSyncResult.OK, socket.sendAsync(new ByteBuffer[] {bytes}, recorder, null));
                        }
                    }));
                }
                pair.peerSkip((long) threads * sendsPerThread * size);
                for (CompletableFuture<Void> sender : senders) {
                    sender.get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                recorder.next(threads * sendsPerThread);
                pair.awaitEventLoopTurn(); // behind the task that tells the last change

                assertTrue(socket.isWritable(), "round " + round + ": writable with nothing queued");
                assertEquals(0, socket.counters().queuedSendBytes());
                List<Told> all = told.all();
                System.out.printf("%s, round %d: %d changes told so far%n", transport, round, all.size());
                for (int i = 0; i < all.size(); i++) {
                    assertEquals(i % 2 == 1, all.get(i).writable(), "round " + round + ": alternating: " + all);
                }
                assertEquals(0, all.size() % 2, "round " + round + ": the last told is writable: " + all);
            }
        }
    }

    @EachTransport
    void aCloseWithSendsQueuedTellsWritableBeforeItReturns(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            WritabilityRecorder told = WritabilityRecorder.listenTo(pair.socket());
            StalledPeer.queueSends(pair, told, recorder);
            assertFalse(told.told(0).writable());
            pair.closeSocketWithin();
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertEquals(List.of(false, true), told.all().stream().map(Told::writable).toList());
            assertTrue(pair.socket().isWritable());
            assertEquals(0, pair.socket().counters().queuedSendBytes());
        }
    }

    @EachTransport
    void aListenerThatThrowsIsLoggedAndTheSocketCarriesOn(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport); WarningRecorder warnings = WarningRecorder.start()) {
            WritabilityRecorder told = WritabilityRecorder.listenTo(pair.socket());
            pair.socket().setOnWritabilityChanged((context, writable) -> {
                told.onWritabilityChanged(context, writable);
                throw new IllegalStateException("thrown by a test's writability listener");
            }, null);
            StalledPeer.queueSends(pair, told, recorder);
            assertFalse(told.told(0).writable());
            pair.peerSkip(StalledPeer.TOTAL);
            assertTrue(told.told(1).writable(), "told again after it threw");
            recorder.next(StalledPeer.COUNT);

            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {7})}, recorder, null));
            assertEquals(SendResult.OK, recorder.next().result());
            assertEquals(7, pair.peerRead(1)[0]);
            assertEquals(2, warnings.warnings().stream().filter(w -> w.contains("onWritabilityChanged threw")).count(),
                    warnings.warnings().toString());
            pair.closeSocketWithin();
        }
    }

    /**
     * Returns at once if the socket is writable, else once it is told so: a producer's pause. Returns whether
     * it paused.
     */
    private static boolean awaitWritable(NettyAsyncSocket socket, WritabilityRecorder told) {
        int seen = told.count(); // before reading the state: a change after it is told at this index or later
        if (socket.isWritable()) {
            return false;
        }
        try {
            told.awaitWritableFrom(seen);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return true;
    }

    @Test
    void waterMarksThatAreNegativeOrInvertedAreRefusedWithAReasonAndLeaveTheMarksAsTheyWere() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        assertNotNull(engine);
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        try (WarningRecorder warnings = WarningRecorder.start()) {
            assertNotEquals(0, socket.setSendWaterMarks(-1, 10));
            assertNotEquals(0, socket.setSendWaterMarks(20, 10));
            assertEquals(DEFAULT_LOW, socket.sendLowWaterMark());
            assertEquals(DEFAULT_HIGH, socket.sendHighWaterMark());
            List<String> said = warnings.warnings();
            assertEquals(2, said.size(), said.toString());
            assertTrue(said.get(0).contains("the low water mark is negative"), said.get(0));
            assertTrue(said.get(1).contains("the high water mark is below the low one"), said.get(1));

            assertEquals(0, socket.setSendWaterMarks(0, 0));
            assertEquals(0, socket.setSendWaterMarks(10, 20));
            assertEquals(10, socket.sendLowWaterMark());
            assertEquals(20, socket.sendHighWaterMark());
            assertEquals(2, warnings.warnings().size(), "accepted marks say nothing");
        } finally {
            socket.destroy();
            engine.decRef();
        }
    }
}
