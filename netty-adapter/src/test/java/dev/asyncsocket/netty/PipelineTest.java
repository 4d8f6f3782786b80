package dev.asyncsocket.netty;

import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Frames;
import dev.asyncsocket.netty.testing.LimitFlipper;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;

import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

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

    /**
     * A handler in front that settles each write's promise itself once its own write is done, on another
     * thread, and more than once (as a handler that aggregates or retries may): one callback each, in order.
     */
    @EachTransport
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a lost callback hangs the close
    void aHandlerInFrontThatSettlesTheWritesFromAnotherThreadMoreThanOnceGetsOneCallbackPerSendInOrder(
            NettyTransport transport) throws Exception {
        ExecutorService settler = Executors.newSingleThreadExecutor();
        try (LoopbackPair pair = openBehind(transport, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                assertEquals(ctx.channel(), promise.channel());
                ctx.write(msg).addListener(written -> settler.execute(() -> {
                    promise.unvoid().trySuccess();
                    promise.trySuccess();
                    promise.cancel(false);
                }));
            }
        })) {
            byte[] bytes = Bytes.random(20, 3);
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(SendSyncResult.OK,
                        pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(new byte[] {bytes[i]})}, recorder, i));
            }
            assertArrayEquals(bytes, pair.peerRead(bytes.length));
            assertCompletedInOrder(SendResult.OK, bytes.length);
            settler.submit(pair::awaitEventLoopTurn).get(10, TimeUnit.SECONDS); // the last settling, and its hop
            pair.awaitEventLoopTurn();
            assertEquals(bytes.length, recorder.count(), "one callback each");
        } finally {
            settler.shutdownNow();
        }
    }

    @EachTransport
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a lost callback hangs the close
    void aHandlerInFrontThatCancelsAWriteCompletesThatSendErrorAndTheOthersOk(NettyTransport transport)
            throws Exception {
        byte cancelled = 9;
        try (LoopbackPair pair = openBehind(transport, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ByteBuf bytes = (ByteBuf) msg;
                if (bytes.getByte(bytes.readerIndex()) == cancelled) {
                    bytes.release();
                    assertTrue(promise.cancel(false));
                } else {
                    ctx.write(msg, promise);
                }
            }
        })) {
            for (byte b : new byte[] {1, cancelled, 2}) {
                assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(new byte[] {b})}, recorder, b));
            }
            assertArrayEquals(new byte[] {1, 2}, pair.peerRead(2));
            List<CallbackRecorder.Callback> done = recorder.next(3);
            assertEquals(List.of((byte) 1, cancelled, (byte) 2), done.stream().map(CallbackRecorder.Callback::context).toList());
            assertEquals(List.of(SendResult.OK, SendResult.ERROR, SendResult.OK),
                    done.stream().map(CallbackRecorder.Callback::result).toList());
        }
    }

    /**
     * A handler in front reads each send's bytes through the socket's view of the caller's buffer while another
     * thread moves that buffer's limit into them and back (a broken contract): it still reads the bytes bounded
     * at the call, and every send completes OK.
     */
    @EachTransport
    void aHandlerInFrontReadsTheBytesBoundedAtTheCallWhileTheCallerMovesTheLimit(NettyTransport transport)
            throws Exception {
        int size = 8;
        int sends = 5_000;
        try (LoopbackPair pair = openBehind(transport, new XorHandler())) {
            byte[] sent = LimitFlipper.sendWhileTheLimitMoves(pair, recorder, sends, size,
                    () -> assertCompletedInOrder(SendResult.OK, sends));
            byte[] transformed = XorHandler.xor(sent);
            for (int i = 0; i < sends; i++) {
                assertArrayEquals(transformed, pair.peerRead(size), "send " + i);
            }
        }
    }

    /**
     * Sends of several direct buffers go straight to the transport under the connection's one promise while the
     * socket's handler is alone, each with a promise of its own once a handler is in front; the sender adds one
     * half-way: from some send on, the handler sees every send as one message, whole and in order, and nothing
     * is lost or completed twice around the switch.
     */
    @EachTransport
    void aHandlerAddedInFrontWhileSendsOfSeveralBuffersFlowSeesEachSendFromSomePointOnWhole(NettyTransport transport)
            throws Exception {
        int sends = 4_000;
        Queue<Integer> seen = new ConcurrentLinkedQueue<>(); // the frames the handler saw, by sequence number
        Queue<String> broken = new ConcurrentLinkedQueue<>();
        ChannelOutboundHandlerAdapter inFront = new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ByteBuf frame = (ByteBuf) msg;
                int seq = frame.getInt(frame.readerIndex() + 8);
                if (frame.readableBytes() != 4 + frame.getInt(frame.readerIndex())) {
                    broken.add("send " + seq + " came as " + frame.readableBytes() + " bytes");
                }
                seen.add(seq);
                ctx.write(msg, promise);
            }
        };
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int seq = 0; seq < sends; seq++) {
                    if (seq == sends / 2) {
                        pair.transport().channel().pipeline().addFirst(inFront);
                    }
                    assertEquals(SendSyncResult.OK, pair.socket().sendAsync(Frames.directFrame(0, seq), recorder, seq));
                }
            });
            Frames.readInOrder(pair.peer().getInputStream(), 1, sends);
            sender.get(30, TimeUnit.SECONDS);
            List<CallbackRecorder.Callback> done = recorder.next(sends);
            for (int i = 0; i < sends; i++) {
                assertEquals(i, done.get(i).context(), "in the order of the sends");
                assertEquals(SendResult.OK, done.get(i).result());
            }
            pair.awaitEventLoopTurn();
            assertEquals(sends, recorder.count(), "one callback each");
            assertEquals(List.of(), broken.stream().limit(3).toList(), broken.size() + " sends not one message");
            List<Integer> through = List.copyOf(seen);
            // Sends that start before Netty has run the handler's handlerAdded task on the loop pass it by.
            assertTrue(!through.isEmpty(), "the handler saw the sends after some point");
            assertEquals(IntStream.range(through.get(0), sends).boxed().toList(), through,
                    "every send after the first it saw, once each, in order");
        }
    }

    /**
     * Callbacks put a pass-through handler in front and take it out again, over and over, while sends of every
     * kind flow: small ones copied into batches, lone direct buffers and sends of several direct buffers written
     * straight to the transport under the connection's one promise, and, with the handler in, sends with a
     * promise of their own. The bytes arrive whole and in order, and each send completes once, OK, in order.
     */
    @EachTransport
    void aHandlerThatCallbacksPutInFrontAndTakeOutAgainKeepsSendsOfEveryKindWholeAndInOrder(NettyTransport transport)
            throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            ChannelPipeline pipeline = pair.transport().channel().pipeline();
            String toggled = "toggled";
            OnSendComplete<Object> toggling = (context, result) -> {
                if ((Integer) context % 7 == 0) {
                    if (pipeline.get(toggled) == null) {
                        pipeline.addFirst(toggled, new ChannelDuplexHandler());
                    } else {
                        pipeline.remove(toggled);
                    }
                }
                recorder.onSendComplete(context, result);
            };
            int sends = 3_000;
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            ByteBuffer[][] payloads = new ByteBuffer[sends][];
            for (int i = 0; i < sends; i++) {
                byte[] bytes = Bytes.random(i % 3 == 0 ? 100 : 4_000, i);
                sent.write(bytes);
                payloads[i] = i % 3 == 2 ? eightDirectBuffers(bytes) : new ByteBuffer[] {Bytes.direct(bytes)};
            }
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < sends; i++) {
                    assertEquals(SendSyncResult.OK, pair.socket().sendAsync(payloads[i], toggling, i));
                }
            });
            assertArrayEquals(sent.toByteArray(), pair.peerRead(sent.size()), "whole and in order at the peer");
            sender.get(30, TimeUnit.SECONDS);
            assertCompletedInOrder(SendResult.OK, sends);
            pair.awaitEventLoopTurn();
            assertEquals(sends, recorder.count(), "one callback each");
        }
    }

    /** {@code bytes} over eight direct buffers. */
    private static ByteBuffer[] eightDirectBuffers(byte[] bytes) {
        int eighth = bytes.length / 8;
        ByteBuffer[] buffers = new ByteBuffer[8];
        Arrays.setAll(buffers, b -> Bytes.direct(Arrays.copyOfRange(bytes, b * eighth,
                b == 7 ? bytes.length : (b + 1) * eighth)));
        return buffers;
    }

    /** An open pair whose socket sits behind {@code inFront}. */
    private static LoopbackPair openBehind(NettyTransport transport, ChannelHandler inFront) throws Exception {
        LoopbackPair pair = LoopbackPair.connected(transport);
        pair.transport().channel().pipeline().addLast(inFront);
        CallbackRecorder opened = new CallbackRecorder();
        assertEquals(0, pair.socket().openAsync(pair.transport(), opened, null));
        assertEquals(OpenResult.OK, opened.next().result());
        return pair;
    }

    private void assertCompletedInOrder(SendResult expected, int count) throws InterruptedException {
        List<CallbackRecorder.Callback> done = recorder.next(count);
        for (int i = 0; i < count; i++) {
            assertEquals(i, done.get(i).context(), "callbacks in the order of the sends");
            assertEquals(expected, done.get(i).result(), "send " + i);
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
