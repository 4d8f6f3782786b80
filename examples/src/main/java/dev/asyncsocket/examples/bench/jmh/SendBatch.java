package dev.asyncsocket.examples.bench.jmh;

import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.examples.bench.Loopback;

import java.nio.ByteBuffer;

/**
 * {@code size} sends of the same payload, {@code window} outstanding, each callback issuing the next.
 * Threading as {@link EventLoopBatch}.
 */
final class SendBatch extends EventLoopBatch implements OnSendComplete<Void> {

    private final ByteBuffer[] payload;
    private final int window;
    private final int size;
    private int issued;
    private int completed;

    SendBatch(Loopback loopback, ByteBuffer[] payload, int window, int size) {
        super(loopback);
        this.payload = payload;
        this.window = window;
        this.size = size;
    }

    @Override
    protected void begin() {
        issued = 0;
        completed = 0;
        for (int i = 0; i < window; i++) {
            issue();
        }
    }

    @Override
    public void onSendComplete(Void context, SendResult result) {
        if (result != SendResult.OK) {
            fail("send completed " + result);
        } else if (++completed == size) {
            finish();
        } else if (issued < size) {
            issue();
        }
    }

    private void issue() {
        issued++;
        SendSyncResult result = loopback().socket().sendAsync(payload, this, null);
        if (result != SendSyncResult.OK) {
            fail("sendAsync returned " + result);
        }
    }
}
