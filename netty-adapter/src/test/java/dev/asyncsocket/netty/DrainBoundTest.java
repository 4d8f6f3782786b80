package dev.asyncsocket.netty;

import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer that outruns the event loop cannot hold it: the drain starts a bounded number of operations,
 * flushes, and lets the loop do its I/O, so another socket on the same loop is still served.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DrainBoundTest {

    /** Where the producer gives up: far more than the loop needs to serve a 1-byte receive in between. */
    private static final long MAX_SENDS = 400_000;

    @EachTransport
    void aProducerThatOutrunsTheLoopLetsAnotherSocketOnTheSameLoopReceive(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // one reference for each pair
        try (LoopbackPair busy = LoopbackPair.open(engine); LoopbackPair neighbour = LoopbackPair.open(engine)) {
            assertSame(busy.transport().channel().eventLoop(), neighbour.transport().channel().eventLoop());
            CompletableFuture<Long> busyPeerRead = CompletableFuture.supplyAsync(() -> readToEnd(busy.peer()));
            CountDownLatch neighbourReceived = new CountDownLatch(1);
            assertEquals(0, neighbour.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)},
                    (ctx, result, bytes) -> neighbourReceived.countDown(), null));

            AtomicLong sent = new AtomicLong();
            CompletableFuture<Long> producer = CompletableFuture.supplyAsync(() -> {
                ByteBuffer[] one = {ByteBuffer.wrap(new byte[] {1})};
                while (neighbourReceived.getCount() > 0 && sent.get() < MAX_SENDS) {
                    if (busy.socket().sendAsync(one, (ctx, result) -> { }, null) == SendSyncResult.OK) {
                        sent.incrementAndGet();
                    }
                }
                return sent.get();
            });
            awaitAtLeast(sent, 10_000); // the producer is under way
            neighbour.peerWrite(new byte[] {42});

            long sentInAll = producer.get(50, TimeUnit.SECONDS);
            System.out.printf("%s: the neighbour's receive completed after %,d of the producer's sends%n", transport, sentInAll);
            assertEquals(0, neighbourReceived.getCount(), "the neighbour's receive never completed");
            assertTrue(sentInAll < MAX_SENDS, "the neighbour was served only once the producer gave up, after "
                    + sentInAll + " sends");
            busy.closeSocketWithin();
            assertTrue(busyPeerRead.get(20, TimeUnit.SECONDS) > 0, "the busy socket's peer got its bytes");
        }
    }

    private static long readToEnd(Socket peer) {
        try (InputStream in = peer.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitAtLeast(AtomicLong count, long expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CallbackRecorder.TIMEOUT_SECONDS);
        while (count.get() < expected) {
            assertTrue(System.nanoTime() < deadline, "only " + count.get() + " of " + expected);
            Thread.onSpinWait();
        }
    }
}
