package dev.asyncsocket.netty;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest {

    @Test
    void anEngineOwnsAGroupOfTheRequestedTransportAndSize() {
        for (NettyTransport transport : NettyTransport.values()) {
            if (!transport.isAvailable()) {
                assertNull(NettyExecutionEngine.create(transport, 1));
                continue;
            }
            NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 3);
            assertNotNull(engine);
            assertEquals(transport, engine.transport());
            int loops = 0;
            for (EventExecutor ignored : engine.eventLoopGroup()) {
                loops++;
            }
            assertEquals(3, loops);
            engine.decRef();
        }
    }

    @Test
    void badArgumentsGiveNoEngine() {
        assertNull(NettyExecutionEngine.create(null, 1));
        assertNull(NettyExecutionEngine.create(NettyTransport.NIO, -1));
        assertNull(NettyExecutionEngine.wrap(null));
    }

    @Test
    void theDefaultEngineRunsOnTheBestTransport() {
        NettyExecutionEngine engine = NettyExecutionEngine.create();
        assertEquals(NettyTransport.best(), engine.transport());
        engine.decRef();
    }

    @Test
    void theBestTransportPrefersEpollThenIoUringThenNio() {
        NettyTransport best = NettyTransport.best();
        assertTrue(best.isAvailable());
        if (NettyTransport.EPOLL.isAvailable()) {
            assertEquals(NettyTransport.EPOLL, best);
        } else if (NettyTransport.IO_URING.isAvailable()) {
            assertEquals(NettyTransport.IO_URING, best);
        } else {
            assertEquals(NettyTransport.NIO, best);
        }
        assertTrue(NettyTransport.NIO.isAvailable());
    }

    @Test
    void theLastReferenceShutsAnOwnedGroupDownAndItsThreadsEnd() {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 2);
        engine.incRef();
        engine.decRef();
        assertFalse(engine.eventLoopGroup().isShuttingDown());
        engine.decRef();
        assertTrue(engine.eventLoopGroup().isTerminated());
        engine.decRef(); // one too many: ignored
        engine.incRef(); // a released engine cannot come back
        assertEquals(0, engine.refCount());
    }

    @Test
    void theLastReferenceReleasedOnItsOwnEventLoopDoesNotWaitForItself() throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(NettyTransport.NIO, 1);
        CompletableFuture<Void> released = new CompletableFuture<>();
        engine.eventLoopGroup().execute(() -> {
            engine.decRef();
            released.complete(null);
        });
        released.get(10, TimeUnit.SECONDS);
        assertTrue(engine.eventLoopGroup().terminationFuture().await(10, TimeUnit.SECONDS));
    }

    @Test
    void aBorrowedGroupIsNeverShutDownByTheEngine() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            NettyExecutionEngine engine = NettyExecutionEngine.wrap(group);
            assertSame(group, engine.eventLoopGroup());
            assertEquals(NettyTransport.NIO, engine.transport());
            engine.decRef();
            assertFalse(group.isShuttingDown());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aGroupThatRunsNoSocketTransportCannotBeWrapped() throws Exception {
        EventLoopGroup notIo = new DefaultEventLoopGroup(1);
        try {
            assertNull(NettyExecutionEngine.wrap(notIo));
        } finally {
            notIo.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
