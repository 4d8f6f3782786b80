package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where callbacks run: on the channel's event loop, never on the stack of the call that started them. */
class CallbackThreadTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void callbacksRunOnTheChannelsEventLoop(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_016
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_036
            assertTrue(pair.engine().owns(pair.transport().channel().eventLoop()), "a loop of the socket's engine");
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null);
            pair.peerWrite(new byte[] {1});
            for (CallbackRecorder.Callback done : recorder.next(2)) {
                assertTrue(pair.transport().channel().eventLoop().inEventLoop(done.thread()), done.thread().getName());
            }
        }
    }

    @EachTransport
    void aSendStartedInsideACallbackCompletesAfterThatCallbackReturned(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            AtomicBoolean insideFirst = new AtomicBoolean();
            AtomicInteger nestedWhileInside = new AtomicInteger();
            CompletableFuture<SendSyncResult> nested = new CompletableFuture<>();
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, (ctx, result) -> {
                insideFirst.set(true);
                nested.complete(pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {2})}, (c, r) -> {
                    if (insideFirst.get()) {
                        nestedWhileInside.incrementAndGet();
                    }
                    recorder.onSendComplete("nested", r);
                }, null));
                insideFirst.set(false);
            }, null);
            assertEquals(SendSyncResult.OK, nested.get(10, TimeUnit.SECONDS));
            assertEquals(SendResult.OK, recorder.next().result());
            assertEquals(0, nestedWhileInside.get(), "no callback runs on the stack of the call that started it");
            assertArrayEquals(new byte[] {1, 2}, pair.peerRead(2));
        }
    }

    @EachTransport
    void aSendRefusedAtOnceInsideACallbackCompletesAfterThatCallbackReturned(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.connected(transport)) {
            // A handler in front that fails the second write on the spot: a send started from a callback on
            // the event loop learns its outcome while sendAsync is still on the stack.
            AtomicInteger writes = new AtomicInteger();
            pair.transport().channel().pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    if (writes.incrementAndGet() == 2) {
                        ReferenceCountUtil.release(msg);
                        promise.setFailure(new IOException("refused by a handler"));
                    } else {
                        ctx.write(msg, promise);
                    }
                }
            });
            assertEquals(0, pair.socket().openAsync(NettySocketTransport.of(pair.transport().channel()), recorder, null));
            recorder.next();
            AtomicBoolean insideFirst = new AtomicBoolean();
            AtomicBoolean nestedWhileInside = new AtomicBoolean();
            pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(new byte[] {1})}, (ctx, result) -> {
                insideFirst.set(true);
                pair.socket().sendAsync(new ByteBuffer[] {Bytes.direct(new byte[] {2})}, (c, r) -> {
                    nestedWhileInside.set(insideFirst.get());
                    recorder.onSendComplete("refused", r);
                }, null);
                insideFirst.set(false);
            }, null);
            assertEquals(SendResult.ERROR, recorder.next().result());
            assertFalse(nestedWhileInside.get(), "no callback runs on the stack of the call that started it");
            assertArrayEquals(new byte[] {1}, pair.peerRead(1));
        }
    }

    @EachTransport
    void aReceivePostedInsideItsPredecessorsCallbackGetsTheNextBytes(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            byte[] bytes = Bytes.random(1000, 1);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            CompletableFuture<Void> done = new CompletableFuture<>();
            ByteBuffer buffer = ByteBuffer.allocate(7);
            AtomicInteger depth = new AtomicInteger();
            dev.asyncsocket.OnReceiveComplete<Object> onReceive = new dev.asyncsocket.OnReceiveComplete<>() {
                @Override
                public void onReceiveComplete(Object ctx, ReceiveResult result, int n) {
                    if (depth.incrementAndGet() > 1) {
                        done.completeExceptionally(new AssertionError("re-entered"));
                    }
                    all.write(buffer.array(), 0, n);
                    buffer.clear();
                    if (all.size() < bytes.length) {
                        pair.socket().receiveAsync(new ByteBuffer[] {buffer}, this, null);
                    } else {
                        done.complete(null);
                    }
                    depth.decrementAndGet();
                }
            };
            pair.socket().receiveAsync(new ByteBuffer[] {buffer}, onReceive, null);
            pair.peerWrite(bytes);
            done.get(10, TimeUnit.SECONDS);
            assertArrayEquals(bytes, all.toByteArray());
        }
    }

    @EachTransport
    void aCallbackThatThrowsBreaksNeitherTheSocketNorOtherCompletions(NettyTransport transport) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(transport)) {
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, (ctx, result) -> {
                throw new IllegalStateException("thrown by a test callback");
            }, null);
            pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {2})}, recorder, "after");
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, n) -> {
                throw new IllegalStateException("thrown by a test callback");
            }, null);
            pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, "second receive");
            pair.peerWrite(new byte[] {10, 20});
            assertEquals(SendResult.OK, recorder.next().result());
            CallbackRecorder.Callback second = recorder.next();
            assertEquals("second receive", second.context());
            assertEquals(ReceiveResult.OK, second.result());
            assertArrayEquals(new byte[] {1, 2}, pair.peerRead(2));
            assertFalse(recorder.all().isEmpty());
            assertTrue(pair.transport().channel().isActive());
        }
    }
}
