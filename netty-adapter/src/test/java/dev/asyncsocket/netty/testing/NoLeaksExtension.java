package dev.asyncsocket.netty.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class if Netty's leak detector reported a leaked buffer while it ran. Registered for every
 * test class through {@code META-INF/services} (extension autodetection is on in junit-platform.properties).
 *
 * <p>Netty notices a leak only when a collected buffer's phantom reference is polled, which happens as
 * buffers are allocated; so after collecting garbage this allocates a few tracked buffers to make the
 * detector look.
 */
public final class NoLeaksExtension implements AfterAllCallback {

    private static final int COLLECTIONS = 3;

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = new ArrayList<>();
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
            pokeDetector();
            leaks.addAll(LeakRecordingDetector.drain());
        }
        if (!leaks.isEmpty()) {
            fail(context.getDisplayName() + " leaked " + leaks.size() + " buffer(s):\n" + String.join("\n", leaks));
        }
    }

    static void pokeDetector() {
        for (int i = 0; i < 64; i++) {
            ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
            pooled.release();
            unpooled.release();
        }
    }
}
