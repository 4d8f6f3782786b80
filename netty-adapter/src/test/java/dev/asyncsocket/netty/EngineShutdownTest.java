package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.SocketState;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.channel.EventLoopGroup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's event loops shut down under an open socket: nothing accepted is left without its callback. */
class EngineShutdownTest {

    private final CallbackRecorder recorder = new CallbackRecorder();

    @EachTransport
    void operationsPendingWhenTheLoopsShutDownCompleteAbandoned(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef(); // the test's own, for after the pair released one
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(8)}, recorder, i));
            }
            EventLoopGroup group = engine.eventLoopGroup();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            for (CallbackRecorder.Callback done : recorder.next(3)) {
                assertEquals(ReceiveResult.ABANDONED, done.result());
            }
            assertTrue(group.terminationFuture().await(10, TimeUnit.SECONDS));
            pair.socket().close();
            assertEquals(SocketState.CLOSED, pair.socket().state());
            assertEquals(3, recorder.count());
        }
        engine.decRef();
    }

    @EachTransport
    void callsOnASocketWhoseLoopIsShuttingDownFailAndCallNothing(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        engine.incRef();
        try (LoopbackPair pair = LoopbackPair.open(engine)) {
            engine.eventLoopGroup().shutdownGracefully(2, 10, TimeUnit.SECONDS);
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_062
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_100
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_106
            assertEquals(SendSyncResult.ERROR, pair.socket().sendAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_054
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_099
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_105
            assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            assertTrue(engine.eventLoopGroup().terminationFuture().await(20, TimeUnit.SECONDS));
            pair.socket().close();
            assertEquals(0, recorder.count(), "a call that failed gets no callback");
        }
        engine.decRef();
    }
}
