package dev.asyncsocket.examples.bench.jmh;

import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.examples.bench.Loopback;

import java.nio.ByteBuffer;

/**
 * {@code size} receives into one buffer, each callback posting the next. Threading as {@link EventLoopBatch}.
 */
final class ReceiveBatch extends EventLoopBatch implements OnReceiveComplete<Void> {

    private final ByteBuffer buffer;
    private final ByteBuffer[] payload;
    private final int size;
    private int completed;

    ReceiveBatch(Loopback loopback, ByteBuffer buffer, int size) {
        super(loopback);
        this.buffer = buffer;
        this.payload = new ByteBuffer[] {buffer};
        this.size = size;
    }

    @Override
    protected void begin() {
        completed = 0;
        post();
    }

    @Override
    public void onReceiveComplete(Void context, ReceiveResult result, int bytesReceived) {
        if (result != ReceiveResult.OK || bytesReceived <= 0) {
            fail("receive completed " + result + " with " + bytesReceived + " bytes");
        } else if (++completed == size) {
            finish();
        } else {
            post();
        }
    }

    private void post() {
        buffer.clear();
        if (loopback().socket().receiveAsync(payload, this, null) != 0) {
            fail("receiveAsync refused");
        }
    }
}
