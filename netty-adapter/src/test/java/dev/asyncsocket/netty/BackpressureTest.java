package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            AtomicLong readByChannel = new AtomicLong();
            pair.transport().channel().pipeline().addFirst(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    readByChannel.addAndGet(((ByteBuf) msg).readableBytes());
                    ctx.fireChannelRead(msg);
                }
            });
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

            long received = 1;
            ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
            while (received < written) {
                buffer.clear();
                pair.socket().receiveAsync(new ByteBuffer[] {buffer}, recorder, null);
                CallbackRecorder.Callback done = recorder.next();
                assertEquals(ReceiveResult.OK, done.result());
                for (int i = 0; i < done.bytes(); i++) {
                    assertEquals((byte) (received + i), buffer.get(i), "byte " + (received + i));
                }
                received += done.bytes();
            }
            assertEquals(written, received, "every byte the peer wrote arrives once receives are posted");
        }
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
