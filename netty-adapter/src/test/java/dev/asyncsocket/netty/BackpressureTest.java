package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.WarningRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket reads only while a receive is pending, so a flooding peer is held back by TCP. */
class BackpressureTest {

    /** Far more than loopback's socket buffers (a few MiB) can hold. */
    private static final long FLOOD_LIMIT = 256L << 20;
    /** What one read burst may bring in beyond a small receive: Netty's reads per burst times its largest buffer. */
    private static final long ONE_BURST = 16L * 64 * 1024 * 2;

    @EachTransport
    void aPeerFloodingWhileNoReceiveIsPostedIsStoppedByTcpAndLosesNothing(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            AtomicLong readByChannel = countReadsInFront(pair);
            long written = floodUntilTcpPushesBack(pair.peer().getChannel());
            assertTrue(written < FLOOD_LIMIT, "the peer was held back after " + written + " bytes");
            pair.awaitEventLoopTurn();
            assertEquals(0, readByChannel.get(), "nothing is read while no receive is pending");

            CallbackRecorder recorder = new CallbackRecorder();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_081
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_082
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null);
            assertEquals(1, recorder.next().bytes());
            pair.awaitEventLoopTurn();
            assertTrue(readByChannel.get() <= ONE_BURST, "one small receive reads one burst at most, not "
                    + readByChannel.get());
            receiveTheRest(pair, recorder, 1, written);
        }
    }

    /**
     * The pipeline's owner turns the channel's auto-read on again while the socket is open on it: the socket
     * turns it off as soon as bytes come that no receive waits for, and says so once, at WARNING. A peer
     * flooding meanwhile is still held back by TCP, and loses nothing.
     */
    @EachTransport
    void aPeerFloodingAfterThePipelineOwnerTurnedAutoReadOnIsStillStoppedByTcpAndLosesNothing(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport); WarningRecorder warnings = WarningRecorder.start()) {
            AtomicLong readByChannel = countReadsInFront(pair);
            pair.onTheLoop(() -> pair.transport().channel().config().setAutoRead(true));
            long written = floodUntilTcpPushesBack(pair.peer().getChannel());
            pair.awaitEventLoopTurn();
            assertTrue(readByChannel.get() <= ONE_BURST, "read " + readByChannel.get() + " bytes for no receive");
            assertTrue(written < FLOOD_LIMIT, "the peer was held back after " + written + " bytes");
            assertFalse(pair.transport().channel().config().isAutoRead(), "auto-read is off again");
            List<String> logged = warnings.warnings();
            assertEquals(1, logged.size(), String.join("\n", logged));
            assertTrue(logged.get(0).contains("auto-read"), logged.get(0));

            receiveTheRest(pair, new CallbackRecorder(), 0, written);
        }
    }

    /** Counts the bytes the channel reads, in a handler in front of the socket. */
    private static AtomicLong countReadsInFront(LoopbackPair pair) {
        AtomicLong readByChannel = new AtomicLong();
        pair.transport().channel().pipeline().addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                readByChannel.addAndGet(((ByteBuf) msg).readableBytes());
                ctx.fireChannelRead(msg);
            }
        });
        return readByChannel;
    }

    /** Receives stream bytes {@code from} to {@code to}, checking each is the one the peer wrote there. */
    private static void receiveTheRest(LoopbackPair pair, CallbackRecorder recorder, long from, long to)
            throws InterruptedException {
        long received = from;
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        while (received < to) {
            buffer.clear();
            pair.socket().receiveAsync(new ByteBuffer[] {buffer}, recorder, null);
            CallbackRecorder.Callback done = recorder.next();
            assertEquals(ReceiveResult.OK, done.result());
            for (int i = 0; i < done.bytes(); i++) {
                assertEquals((byte) (received + i), buffer.get(i), "byte " + (received + i));
            }
            received += done.bytes();
        }
        assertEquals(to, received, "every byte the peer wrote arrives once receives are posted");
    }

    /** Writes a counting pattern without blocking until TCP accepts no more; returns how much it took. */
    private static long floodUntilTcpPushesBack(SocketChannel peer) throws Exception {
        peer.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        fillWithOffsets(chunk, 0);
        long written = 0;
        for (int refusedInARow = 0; written < FLOOD_LIMIT && refusedInARow < 10_000; ) {
            int n = peer.write(chunk);
            written += n;
            if (n == 0) {
                refusedInARow++;
                Thread.yield();
            } else {
                refusedInARow = 0;
                if (!chunk.hasRemaining()) {
                    fillWithOffsets(chunk, written);
                }
            }
        }
        peer.configureBlocking(true);
        return written;
    }

    /** Byte i of the stream is (byte) i. */
    private static void fillWithOffsets(ByteBuffer chunk, long streamOffset) {
        chunk.clear();
        for (int i = 0; i < chunk.capacity(); i++) {
            chunk.put(i, (byte) (streamOffset + i));
        }
    }
}
