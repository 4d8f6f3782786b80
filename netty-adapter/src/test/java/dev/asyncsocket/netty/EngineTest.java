package dev.asyncsocket.netty;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** An application that wraps its own group once per connection must not grow that group's memory. */
    @Test
    void anEngineWrappedAroundABorrowedGroupLeavesNoListenerOnItOnceReleased() throws Exception {
        ListenerCountingGroup group = new ListenerCountingGroup();
        try {
            for (int i = 0; i < 1000; i++) {
                NettyExecutionEngine engine = NettyExecutionEngine.wrap(group);
                engine.incRef();
                engine.decRef();
                engine.decRef();
            }
            assertEquals(0, group.listeners.get(), "termination listeners left on the borrowed group");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A group whose termination future counts the listeners registered on it and not yet removed. */
    private static final class ListenerCountingGroup extends MultiThreadIoEventLoopGroup {
        final AtomicInteger listeners = new AtomicInteger();
        private final Promise<Void> termination = new DefaultPromise<>(GlobalEventExecutor.INSTANCE) {
            @Override
            public Promise<Void> addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
                listeners.incrementAndGet();
                return super.addListener(listener);
            }

            @Override
            public Promise<Void> removeListener(GenericFutureListener<? extends Future<? super Void>> listener) {
                listeners.decrementAndGet();
                return super.removeListener(listener);
            }
        };

        ListenerCountingGroup() {
            super(1, NioIoHandler.newFactory());
            super.terminationFuture().addListener(terminated -> termination.setSuccess(null));
        }

        @Override
        public Future<?> terminationFuture() {
            return termination;
        }
    }
}
