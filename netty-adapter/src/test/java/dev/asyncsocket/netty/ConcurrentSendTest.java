package dev.asyncsocket.netty;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Frames;
import dev.asyncsocket.netty.testing.Latches;
import dev.asyncsocket.netty.testing.LoopbackPair;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Many threads sending at once: each send stays contiguous, and each thread's sends keep their order. */
class ConcurrentSendTest {

    private static final int THREADS = 8;
    private static final int MESSAGES_PER_THREAD = 2_000;

    @EachTransport
    void framedMessagesFromManyThreadsArriveWholeAndInEachThreadsOrder(NettyTransport transport) throws Exception {
        sendFromManyThreadsAndCheckAtThePeer(transport, Frames::frame);
    }

    /** Sends of several direct buffers, above the copy threshold: written, not copied, under the one promise. */
    @EachTransport
    void framedSendsOfSeveralDirectBuffersFromManyThreadsArriveWholeAndInEachThreadsOrder(NettyTransport transport)
            throws Exception {
        sendFromManyThreadsAndCheckAtThePeer(transport, Frames::directFrame);
    }

    private void sendFromManyThreadsAndCheckAtThePeer(NettyTransport transport,
                                                     BiFunction<Integer, Integer, ByteBuffer[]> frames) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CallbackRecorder recorder = new CallbackRecorder();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                senders.add(CompletableFuture.runAsync(() -> {
                    Latches.awaitQuietly(go);
                    for (int seq = 0; seq < MESSAGES_PER_THREAD; seq++) {
                        assertEquals(SendSyncResult.OK, pair.socket().sendAsync(frames.apply(thread, seq), recorder, null));
                    }
                }));
            }
            go.countDown();
            Frames.readInOrder(pair.peer().getInputStream(), THREADS, MESSAGES_PER_THREAD);
            CompletableFuture.allOf(senders.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            for (CallbackRecorder.Callback done : recorder.next(THREADS * MESSAGES_PER_THREAD)) {
                assertEquals(SendResult.OK, done.result());
            }
        }
    }
}
