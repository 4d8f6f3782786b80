package dev.asyncsocket.netty;

import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.spi.OutstandingOperations;
import dev.asyncsocket.spi.SocketLifecycle;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ReceiveQueue} of an open socket's connection on an {@link EmbeddedChannel}, driven by hand: the
 * test posts receives and hands it bytes as the tail handler would, on the test's thread. One per test.
 */
final class ReceiveQueueFixture implements AutoCloseable {

    final EmbeddedChannel channel = new EmbeddedChannel();
    final OutstandingOperations outstanding = new OutstandingOperations();
    final ReceiveQueue receives;
    private final Connection connection;

    ReceiveQueueFixture() {
        SocketLifecycle lifecycle = new SocketLifecycle();
        assertTrue(lifecycle.beginOpen());
        lifecycle.opened();
        SocketCounters counters = new SocketCounters();
        connection = new Connection(channel, lifecycle, () -> { }, why -> { },
                new SendPressure(counters, outstanding), counters, outstanding, 0);
        receives = connection.receives();
    }

    /** Posts a receive into {@code buffers}, counted as accepted. */
    <C> void post(ByteBuffer[] buffers, OnReceiveComplete<C> callback) {
        ReceiveOperation<C> receive = ReceiveOperation.of(buffers, callback, null);
        assertNotNull(receive, "bad input");
        outstanding.accepted();
        receive.start(connection); // posts it to the queue
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
