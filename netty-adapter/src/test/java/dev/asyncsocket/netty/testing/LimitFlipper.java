package dev.asyncsocket.netty.testing;

import dev.asyncsocket.SendSyncResult;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A caller that breaks the lending contract: another thread moves a lent buffer's limit down into the bytes
 * of its sends and back up, over and over, until closed. For the tests that a socket sends the bytes bounded
 * at the call whatever the caller does to its buffer meanwhile.
 */
public final class LimitFlipper implements AutoCloseable {

    private final AtomicBoolean flipping = new AtomicBoolean(true);
    private final CompletableFuture<Void> flipper;

    private LimitFlipper(ByteBuffer buffer, int low, int high) {
        flipper = CompletableFuture.runAsync(() -> {
            while (flipping.get()) {
                buffer.limit(low);
                buffer.limit(high);
            }
        });
    }

    /** What a test checks while the limit moves. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /**
     * Sends bytes {@code size} to {@code 2 * size} of one direct buffer {@code sends} times (contexts 0 on) while
     * the pair's event loop is held, then lets the loop start them while the buffer's limit flips between
     * {@code size + 1} and {@code 2 * size}, and runs {@code whileMoving} before the flipping stops.
     *
     * @return the bytes each send carries, as bounded at the call
     */
    public static byte[] sendWhileTheLimitMoves(LoopbackPair pair, CallbackRecorder recorder, int sends, int size,
                                                Check whileMoving) throws Exception {
        byte[] payload = Bytes.random(2 * size, sends);
        ByteBuffer moving = Bytes.direct(payload).position(size);
        CountDownLatch release = pair.holdInsideACallback();
        for (int context = 0; context < sends; context++) {
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {moving}, recorder, context));
        }
        try (LimitFlipper flipping = start(moving, size + 1, 2 * size)) {
            release.countDown();
            whileMoving.run();
        }
        return Arrays.copyOfRange(payload, size, 2 * size);
    }

    /** Starts flipping {@code buffer}'s limit between {@code low} and {@code high}. */
    public static LimitFlipper start(ByteBuffer buffer, int low, int high) {
        return new LimitFlipper(buffer, low, high);
    }

    @Override
    public void close() throws Exception {
        flipping.set(false);
        flipper.get(10, TimeUnit.SECONDS);
    }
}
