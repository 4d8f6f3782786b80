package dev.asyncsocket.netty.testing;

import io.netty.util.ResourceLeakDetector;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, installed for the whole suite with {@code -Dio.netty.customResourceLeakDetector},
 * that also remembers every leak it reports so that {@link NoLeaksExtension} can fail the build on it.
 */
public final class LeakRecordingDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    public LeakRecordingDetector(Class<T> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    public LeakRecordingDetector(Class<T> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + " (untraced)");
        super.reportUntracedLeak(resourceType);
    }

    /** The leaks reported since the last call, which forgets them. */
    public static List<String> drain() {
        List<String> found = List.copyOf(LEAKS);
        LEAKS.removeAll(found);
        return found;
    }
}
