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

    ReceiveQueueFixture() {
        SocketLifecycle lifecycle = new SocketLifecycle();
        assertTrue(lifecycle.beginOpen());
        lifecycle.opened();
        receives = new Connection(channel, lifecycle, () -> { }, why -> { }).receives();
    }

    /** Posts a receive into {@code buffers}, counted as accepted. */
    <C> void post(ByteBuffer[] buffers, OnReceiveComplete<C> callback) {
        ReceiveOperation<C> receive = ReceiveOperation.of(buffers, callback, null, outstanding);
        assertNotNull(receive, "bad input");
        outstanding.accepted();
        receives.post(receive);
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
