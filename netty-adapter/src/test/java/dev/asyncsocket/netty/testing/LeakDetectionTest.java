package dev.asyncsocket.netty.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite's leak check is live: paranoid detection, and a dropped buffer is reported (and would fail its class). */
class LeakDetectionTest {

    private static final int ATTEMPTS = 50;

    @Test
    void leakDetectionRunsAtParanoidLevel() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReported() {
        dropOneBuffer();
        List<String> found = new ArrayList<>();
        for (int i = 0; i < ATTEMPTS && found.isEmpty(); i++) {
            System.gc();
            NoLeaksExtension.pokeDetector();
            found.addAll(LeakRecordingDetector.drain());
        }
        assertFalse(found.isEmpty(), "the deliberately leaked buffer was not reported");
        assertTrue(found.get(0).startsWith("LEAK: "));
    }

    private static void dropOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
