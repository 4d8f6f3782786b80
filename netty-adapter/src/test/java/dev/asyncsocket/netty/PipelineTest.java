package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket at the tail of an existing pipeline: the handlers in front see and transform the bytes. */
class PipelineTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void aByteTransformingHandlerInFrontOfTheSocketWorksBothWays(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            pair.transport().channel().pipeline().addLast(new LoggingHandler(LogLevel.TRACE), new XorHandler());
            NettySocketTransport plugged = NettySocketTransport.of(pair.transport().channel());
            assertEquals(0, pair.socket().openAsync(plugged, recorder, null));
            recorder.next();

            byte[] plain = Bytes.random(200_000, 1);
            pair.peerWrite(XorHandler.xor(plain));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            while (received.size() < plain.length) {
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                pair.socket().receiveAsync(new ByteBuffer[] {buffer}, recorder, null);
                assertEquals(ReceiveResult.OK, recorder.next().result());
                received.write(Bytes.written(buffer));
            }
            assertArrayEquals(plain, received.toByteArray(), "the socket receives what the handler decoded");

            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(plain, 0, 1000), ByteBuffer.wrap(plain, 1000, 1000)},
                    recorder, null);
            assertArrayEquals(XorHandler.xor(java.util.Arrays.copyOf(plain, 2000)), pair.peerRead(2000),
                    "the peer gets what the handler encoded");
            assertEquals(SendResult.OK, recorder.next().result());
        }
    }

    @EachTransport
    void aHandlerInFrontThatFailsCompletesPendingReceivesWithError(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            pair.transport().channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    ctx.fireExceptionCaught(new IllegalArgumentException("cannot decode (a test failure)"));
                }
            });
            assertEquals(0, pair.socket().openAsync(pair.transport(), recorder, null));
            recorder.next();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, "pending");
            pair.peerWrite(new byte[] {1, 2, 3});
            CallbackRecorder.Callback done = recorder.next();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_070
            assertEquals(ReceiveResult.ERROR, done.result());
            assertEquals(0, done.bytes());
            assertTrue(pair.transport().channel().isActive(), "an error that is not the connection's keeps it open");
        }
    }

    @EachTransport
    void aHandlerInFrontThatPassesSomethingOtherThanBytesFailsPendingReceives(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            pair.transport().channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    ctx.fireChannelRead("a decoded message, not bytes");
                }
            });
            assertEquals(0, pair.socket().openAsync(pair.transport(), recorder, null));
            recorder.next();
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, null);
            pair.peerWrite(new byte[] {1});
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_070
            assertEquals(ReceiveResult.ERROR, recorder.next().result());
        }
    }

    /**
     * A caller's channel reading on its own (auto-read on): what reaches the end of its pipeline after
     * {@code of} returned waits for the socket opened on it later.
     */
    @EachTransport
    void bytesThatArriveAfterOfAndBeforeTheOpenAreKeptForTheSocket(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport);
             LoopbackPair.Connected own = pair.connectOwnChannel(true)) {
            CountDownLatch passed = new CountDownLatch(2);
            own.transport().channel().pipeline().addFirst(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    for (int i = ((ByteBuf) msg).readableBytes(); i > 0; i--) {
                        passed.countDown();
                    }
                    ctx.fireChannelRead(msg);
                }
            });
            own.transport().channel().eventLoop().submit(() -> { }).sync(); // the counting handler is in place
            own.peer().getOutputStream().write(new byte[] {'h', 'i'});
            assertTrue(passed.await(10, TimeUnit.SECONDS), "the greeting never came");

            assertEquals(0, pair.socket().openAsync(own.transport(), recorder, null));
            recorder.next();
            ByteBuffer greeting = ByteBuffer.allocate(2);
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {greeting}, recorder, null));
            assertEquals(ReceiveResult.OK, recorder.next().result());
            assertArrayEquals(new byte[] {'h', 'i'}, greeting.array());
        }
    }

    /** Flips every bit of every byte, in both directions: the simplest byte-transforming codec. */
    static final class XorHandler extends ChannelDuplexHandler {

        static byte[] xor(byte[] bytes) {
            byte[] out = bytes.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] ^= (byte) 0xFF;
            }
            return out;
        }

        private static ByteBuf xor(ChannelHandlerContext ctx, ByteBuf in) {
            ByteBuf out = ctx.alloc().buffer(in.readableBytes());
            while (in.isReadable()) {
                out.writeByte(in.readByte() ^ 0xFF);
            }
            in.release();
            return out;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(xor(ctx, (ByteBuf) msg));
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(xor(ctx, (ByteBuf) msg), promise);
        }
    }
}
