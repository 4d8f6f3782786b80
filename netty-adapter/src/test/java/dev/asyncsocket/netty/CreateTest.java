package dev.asyncsocket.netty;

import dev.asyncsocket.ExecutionEngine;
import dev.asyncsocket.SocketState;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;

import dev.asyncsocket.netty.testing.WarningRecorder;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

class CreateTest {

    @Test
    void createReturnsAClosedSocketOnANettyEngine() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_001
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        assertNotNull(socket);
        assertEquals(SocketState.CLOSED, socket.state());
        assertEquals(engine, socket.engine());
        socket.destroy();
        engine.decRef();
    }

    @Test
    void createWithoutAnEngineFails() {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_002
        assertNull(NettyAsyncSocket.create(null));
    }

    @Test
    void createOnAnEngineOfAnotherImplementationFails() {
        ExecutionEngine foreign = mock(ExecutionEngine.class);
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_003
        assertNull(NettyAsyncSocket.create(foreign));
        verify(foreign, never()).incRef();
    }

    @Test
    void createTakesAReferenceOnTheEngineAndDestroyReleasesIt() {
        NettyExecutionEngine engine = spy(NettyExecutionEngine.create(NettyTransport.NIO, 1));
        // Tests_SRS_ASYNC_SOCKET_WIN32_42_004
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        verify(engine).acquireForSocket();
        assertEquals(2, engine.refCount());
        // Tests_SRS_ASYNC_SOCKET_WIN32_42_005
        socket.destroy();
        verify(engine).releaseForSocket();
        assertEquals(1, engine.refCount());
        engine.decRef();
    }

    @Test
    void createObtainsTheEventLoopGroupFromTheEngine() {
        NettyExecutionEngine engine = spy(NettyExecutionEngine.create(NettyTransport.NIO, 1));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_035
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        verify(engine).eventLoopGroup();
        socket.destroy();
        engine.decRef();
    }

    @Test
    void createFailsIfTheEngineHasNoEventLoopGroup() {
        NettyExecutionEngine engine = mock(NettyExecutionEngine.class);
        when(engine.eventLoopGroup()).thenReturn((EventLoopGroup) null);
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_003
        assertNull(NettyAsyncSocket.create(engine));
        verify(engine, never()).acquireForSocket();
    }

    @Test
    void createWithTransportCallbacksIsNotSupported() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        // Tests_SRS_ASYNC_SOCKET_WIN32_04_001
        assertNull(NettyAsyncSocket.createWithTransport(engine, (ctx, socket, buffer) -> buffer.remaining(), null,
                (ctx, socket, buffer) -> 0, null));
        assertEquals(1, engine.refCount(), "no reference taken");
        engine.decRef();
    }

    @Test
    void notifyIoIsNotSupportedAndNeverCallsBack() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        // Tests_SRS_ASYNC_SOCKET_WIN32_04_002
        assertEquals(1, socket.notifyIoAsync(dev.asyncsocket.NotifyIoType.IN, (ctx, result) -> {
            throw new AssertionError("no callback");
        }, null));
        assertEquals(1, socket.notifyIoAsync(dev.asyncsocket.NotifyIoType.OUT, (ctx, result) -> {
            throw new AssertionError("no callback");
        }, ByteBuffer.allocate(1)));
        socket.destroy();
        engine.decRef();
    }

    @Test
    void createOnAnEngineWhoseCountReachedZeroGivesNullAndSaysWhy() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        engine.decRef();
        try (WarningRecorder warnings = WarningRecorder.start()) {
            assertNull(NettyAsyncSocket.create(engine));
            assertEquals(1, warnings.warnings().size(), warnings.warnings().toString());
            assertTrue(warnings.warnings().get(0).contains("released execution engine"), warnings.warnings().get(0));
        }
    }

    @Test
    void anExtraDecRefThatWouldTakeASocketsReferenceIsRefusedAndTheEngineRunsOn() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        engine.decRef(); // the creator's own: the socket's is left
        try (WarningRecorder warnings = WarningRecorder.start()) {
            engine.decRef(); // one too many
            assertEquals(1, warnings.warnings().size(), warnings.warnings().toString());
            assertTrue(warnings.warnings().get(0).contains("destroy them instead"), warnings.warnings().get(0));
        }
        assertEquals(1, engine.refCount());
        assertFalse(engine.eventLoopGroup().isShuttingDown(), "the socket's engine went on");
        socket.destroy();
        assertTrue(engine.eventLoopGroup().isTerminated(), "the socket's release was the last");
    }

    @Test
    void aSocketDroppedWithoutDestroyReleasesItsEngineReferenceOnceCollected() throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        createAndDrop(engine);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (engine.refCount() != 1) {
            assertTrue(System.nanoTime() < deadline, "the dropped socket still holds its reference");
            System.gc();
            Thread.onSpinWait();
        }
        engine.decRef();
        assertTrue(engine.eventLoopGroup().isTerminated());
    }

    private static void createAndDrop(NettyExecutionEngine engine) {
        assertNotNull(NettyAsyncSocket.create(engine));
        assertEquals(2, engine.refCount());
    }

    @Test
    void anEngineClosedByTryWithResourcesReleasesItsReference() {
        EventLoopGroup group;
        try (NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1)) {
            group = engine.eventLoopGroup();
        }
        assertTrue(group.isTerminated());
    }
}
