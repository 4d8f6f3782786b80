package dev.asyncsocket.netty;

import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How long one read burst goes on: while a receive waits and the last read filled its buffer, as Netty's
 * auto-read would, up to Netty's limit of reads per wake-up; never while no receive waits. Auto-read is off,
 * and Netty's own handles would stop after one read, so that every read waited for the next wake-up.
 */
class ReadBurstTest {

    private static final int FULL = 4096;

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aBurstReadsOnWhileAReceiveWaitsAndTheLastReadFilledItsBuffer(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            RecvByteBufAllocator.ExtendedHandle handle = burstHandle(pair);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(FULL)}, recorder, null);
            pair.awaitEventLoopTurn();
            assertTrue(onLoop(pair, () -> afterReads(pair.transport().channel(), handle, 1, FULL, FULL)));
            assertFalse(onLoop(pair, () -> afterReads(pair.transport().channel(), handle, 1, FULL, FULL / 2)),
                    "a read that did not fill its buffer emptied the socket");
        }
    }

    @EachTransport
    void aBurstStopsAtNettysLimitOfReadsPerWakeUp(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            RecvByteBufAllocator.ExtendedHandle handle = burstHandle(pair);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(FULL)}, recorder, null);
            pair.awaitEventLoopTurn();
            int limit = ((ReadIntoPostedBuffer) pair.transport().channel().config().getRecvByteBufAllocator()).maxReads();
            assertTrue(limit > 1, "Netty reads more than once per wake-up: " + limit);
            assertTrue(onLoop(pair, () -> afterReads(pair.transport().channel(), handle, limit - 1, FULL, FULL)));
            assertFalse(onLoop(pair, () -> afterReads(pair.transport().channel(), handle, limit, FULL, FULL)));
        }
    }

    @EachTransport
    void aBurstStopsOnceNoReceiveWaits(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            RecvByteBufAllocator.ExtendedHandle handle = burstHandle(pair);
            assertFalse(onLoop(pair, () -> afterReads(pair.transport().channel(), handle, 1, FULL, FULL)),
                    "bytes read with no receive waiting would only be copied later");
        }
    }

    /** The handle of the socket's read allocator; skips a channel whose allocator the socket cannot wrap. */
    private static RecvByteBufAllocator.ExtendedHandle burstHandle(LoopbackPair pair) {
        pair.awaitEventLoopTurn(); // the socket plugs into the channel right after the open callback
        RecvByteBufAllocator allocator = pair.transport().channel().config().getRecvByteBufAllocator();
        assumeTrue(allocator instanceof ReadIntoPostedBuffer, "the channel's allocator has no extended handle");
        return (RecvByteBufAllocator.ExtendedHandle) allocator.newHandle();
    }

    /** Whether the burst goes on after {@code reads} reads, the last of {@code got} of {@code attempted} bytes. */
    private static boolean afterReads(Channel channel, RecvByteBufAllocator.ExtendedHandle handle, int reads,
                                      int attempted, int got) {
        handle.reset(channel.config());
        for (int i = 0; i < reads; i++) {
            handle.attemptedBytesRead(attempted);
            handle.lastBytesRead(got);
            handle.incMessagesRead(1);
        }
        return handle.continueReading();
    }

    private static boolean onLoop(LoopbackPair pair, Callable<Boolean> check) throws Exception {
        return pair.transport().channel().eventLoop().submit(check).get(10, TimeUnit.SECONDS);
    }
}
