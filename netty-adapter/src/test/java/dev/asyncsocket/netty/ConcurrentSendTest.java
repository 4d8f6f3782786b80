package dev.asyncsocket.netty;

import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Latches;
import dev.asyncsocket.netty.testing.LoopbackPair;

import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many threads sending at once: each send stays contiguous, and each thread's sends keep their order. */
class ConcurrentSendTest {

    private static final int THREADS = 8;
    private static final int MESSAGES_PER_THREAD = 2_000;

    @EachTransport
    void framedMessagesFromManyThreadsArriveWholeAndInEachThreadsOrder(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CallbackRecorder recorder = new CallbackRecorder();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                senders.add(CompletableFuture.runAsync(() -> {
                    Latches.awaitQuietly(go);
                    for (int seq = 0; seq < MESSAGES_PER_THREAD; seq++) {
                        assertEquals(SendSyncResult.OK, pair.socket().sendAsync(frame(thread, seq), recorder, null));
                    }
                }));
            }
            go.countDown();
            DataInputStream in = new DataInputStream(pair.peer().getInputStream());
            int[] nextSeq = new int[THREADS];
            for (int i = 0; i < THREADS * MESSAGES_PER_THREAD; i++) {
                int length = in.readInt();
                int thread = in.readInt();
                int seq = in.readInt();
                byte[] body = new byte[length - 8];
                in.readFully(body);
                assertEquals(nextSeq[thread]++, seq, "thread " + thread + "'s sends keep their order");
                for (byte b : body) {
                    assertEquals((byte) (thread * 31 + seq), b, "a send's bytes are contiguous");
                }
            }
            CompletableFuture.allOf(senders.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            for (CallbackRecorder.Callback done : recorder.next(THREADS * MESSAGES_PER_THREAD)) {
                assertEquals(SendResult.OK, done.result());
            }
            for (int thread = 0; thread < THREADS; thread++) {
                assertTrue(nextSeq[thread] == MESSAGES_PER_THREAD);
            }
        }
    }

    /** [length][thread][seq] then a body of (seq % 97 + 1) bytes, split over three buffers. */
    private static ByteBuffer[] frame(int thread, int seq) {
        int bodyLength = seq % 97 + 1;
        ByteBuffer header = ByteBuffer.allocate(12).putInt(8 + bodyLength).putInt(thread).putInt(seq).flip();
        byte[] body = new byte[bodyLength];
        java.util.Arrays.fill(body, (byte) (thread * 31 + seq));
        int half = bodyLength / 2;
        return half == 0
                ? new ByteBuffer[] {header, ByteBuffer.wrap(body)}
                : new ByteBuffer[] {header, ByteBuffer.wrap(body, 0, half), ByteBuffer.wrap(body, half, bodyLength - half)};
    }

}
