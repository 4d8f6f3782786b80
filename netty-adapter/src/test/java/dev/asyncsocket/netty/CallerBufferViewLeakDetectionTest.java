package dev.asyncsocket.netty;

import dev.asyncsocket.netty.testing.LeakRecordingDetector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Views of callers' buffers are tracked by Netty's leak detector like Netty's own buffers. This class leaks
 * one on purpose; CI's search for leak reports skips the output of classes named *LeakDetectionTest.
 */
class CallerBufferViewLeakDetectionTest {

    @Test
    void aViewDroppedWithoutReleaseIsReportedAsALeak() {
        dropOneView();
        List<String> found = new ArrayList<>();
        for (int attempt = 0; attempt < 50 && found.isEmpty(); attempt++) {
            System.gc();
            // The detector looks for collected, unreleased views whenever it tracks a new one.
            for (int i = 0; i < 64; i++) {
                CallerBufferView.of(CallerBufferViewTest.callerBuffer(), null).release();
            }
            found.addAll(LeakRecordingDetector.drain());
        }
        assertFalse(found.isEmpty(), "the dropped view was not reported");
        assertTrue(found.get(0).contains(CallerBufferView.class.getSimpleName()), found.get(0));
    }

    private static void dropOneView() {
        CallerBufferView.of(CallerBufferViewTest.callerBuffer(), null).readByte();
    }
}
