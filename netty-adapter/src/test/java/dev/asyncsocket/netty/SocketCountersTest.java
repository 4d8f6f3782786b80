package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.StalledPeer;
import dev.asyncsocket.netty.testing.WritabilityRecorder;
import dev.asyncsocket.netty.testing.WritabilityRecorder.Told;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NettyAsyncSocket#counters()}: sends and receives by result and bytes each way, exact once the
 * operations completed, whoever completed them (the loop, a close, an engine shutting down).
 */
class SocketCountersTest {

    private final CallbackRecorder sends = new CallbackRecorder();
    private final CallbackRecorder receives = new CallbackRecorder();

    @EachTransport
    void afterAKnownExchangeEveryCountMatchesWhatWentEachWay(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            NettyAsyncSocket socket = pair.socket();
            send(socket, ByteBuffer.wrap(Bytes.random(10, 1)));
            send(socket, ByteBuffer.wrap(Bytes.random(20, 2)), ByteBuffer.wrap(Bytes.random(30, 3)));
            send(socket, Bytes.direct(Bytes.random(40, 4)));
            assertEquals(SendSyncResult.ERROR, socket.sendAsync(new ByteBuffer[] {ByteBuffer.allocate(0)}, sends, null),
                    "refused: not counted");
            for (CallbackRecorder.Callback done : sends.next(3)) {
                assertEquals(SendResult.OK, done.result());
            }
            pair.peerRead(100);
            pair.peerWrite(Bytes.random(150, 5));
            pair.receiveExactly(receives, 150, 64);

            SocketCounters counters = socket.counters();
            assertEquals(3, counters.sendsAccepted());
            assertEquals(100, counters.sendBytesAccepted());
            assertEquals(3, counters.sends(SendResult.OK));
            assertEquals(100, counters.bytesSent());
            assertEquals(receives.count(), counters.receives(ReceiveResult.OK));
            assertEquals(150, counters.bytesReceived());
            for (Enum<?> failed : List.of(SendResult.ERROR, SendResult.ABANDONED, ReceiveResult.ERROR, ReceiveResult.ABANDONED)) {
                assertEquals(0, count(counters, failed), failed.toString());
            }
            assertEquals(0, counters.queuedSends());
            assertEquals(0, counters.queuedSendBytes());
        }
    }

    @EachTransport
    void aCallbackFindsItsOwnOperationCountedAndNoLongerQueued(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            SocketCounters counters = pair.socket().counters();
            CompletableFuture<String> inSendCallback = new CompletableFuture<>();
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[5])}, (context, result) ->
                    inSendCallback.complete(counters.sends(SendResult.OK) + " OK, " + counters.bytesSent() + " bytes, "
                            + counters.queuedSends() + " queued, " + counters.queuedSendBytes() + " bytes queued"), null);
            assertEquals("1 OK, 5 bytes, 0 queued, 0 bytes queued", inSendCallback.get(10, TimeUnit.SECONDS));

            CompletableFuture<String> inReceiveCallback = new CompletableFuture<>();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, (context, result, bytes) ->
                    inReceiveCallback.complete(counters.receives(ReceiveResult.OK) + " OK, " + counters.bytesReceived()
                            + " bytes"), null);
            pair.peerWrite(new byte[3]);
            assertEquals("1 OK, 3 bytes", inReceiveCallback.get(10, TimeUnit.SECONDS));
        }
    }

    @EachTransport
    void aCloseWithSendsAndAReceivePendingCountsEachResultByKind(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            StalledPeer.queueSends(pair, WritabilityRecorder.listenTo(pair.socket()), sends);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, receives, null);
            pair.closeSocketWithin();

            assertSendsCountedAsTheyCompleted(pair.socket().counters());
            assertTrue(pair.socket().counters().sends(SendResult.ABANDONED) > 0, "the peer stalled: sends were left");
            assertEquals(ReceiveResult.ABANDONED, receives.next().result());
            assertEquals(1, pair.socket().counters().receives(ReceiveResult.ABANDONED));
        }
    }

    @EachTransport
    void sendsCompletedAfterTheEngineShutDownAreCountedAndLeaveNothingQueued(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            WritabilityRecorder told = WritabilityRecorder.listenTo(pair.socket());
            StalledPeer.queueSends(pair, told, sends);
            assertTrue(engine.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS));
            sends.next(StalledPeer.COUNT);

            assertSendsCountedAsTheyCompleted(pair.socket().counters());
            // The change is told in a task of its own, after the last send's callback, where the callbacks ran.
            assertTrue(told.told(1).writable(), "told writable where the callbacks ran");
            assertEquals(List.of(false, true), told.all().stream().map(Told::writable).toList());
            assertTrue(pair.socket().isWritable());
            pair.socket().close();
        }
        engine.decRef();
    }

    private void send(NettyAsyncSocket socket, ByteBuffer... payload) {
        assertEquals(SendSyncResult.OK, socket.sendAsync(payload, sends, null));
    }

    /** Every send the recorder saw completed, by result and bytes, is in the counters, and none is queued. */
    private void assertSendsCountedAsTheyCompleted(SocketCounters counters) {
        List<CallbackRecorder.Callback> completed = sends.all();
        assertEquals(StalledPeer.COUNT, completed.size());
        for (SendResult result : SendResult.values()) {
            assertEquals(completed.stream().filter(done -> done.result() == result).count(), counters.sends(result),
                    result + " in " + counters);
        }
        assertEquals(StalledPeer.CHUNK * counters.sends(SendResult.OK), counters.bytesSent());
        assertEquals(StalledPeer.COUNT, counters.sendsAccepted());
        assertEquals(0, counters.queuedSends());
        assertEquals(0, counters.queuedSendBytes());
    }

    private static long count(SocketCounters counters, Enum<?> result) {
        return result instanceof SendResult send ? counters.sends(send) : counters.receives((ReceiveResult) result);
    }
}
