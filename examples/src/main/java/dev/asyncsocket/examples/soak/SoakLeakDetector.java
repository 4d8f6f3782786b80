package dev.asyncsocket.examples.soak;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty's leak detector, counting what it reports, for a soak run as a program. Installed through
 * {@code io.netty.customResourceLeakDetector} before any buffer class loads, at PARANOID unless a level was
 * given; inside a test JVM whose build already installed a detector, it stays out of the way.
 */
public final class SoakLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final AtomicLong LEAKS = new AtomicLong();
    private static volatile boolean installed;

    public SoakLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /** The constructor older Netty versions look for; Netty 4.2 logs an error if it is missing. */
    public SoakLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.incrementAndGet();
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.incrementAndGet();
        super.reportUntracedLeak(resourceType);
    }

    /**
     * Installs this detector unless the JVM was given one. Call first thing in {@code main}, before any
     * Netty buffer class is loaded.
     *
     * @return whether it was installed (and {@link #countLeaks()} counts)
     */
    static boolean installIfNoneConfigured() {
        if (System.getProperty("io.netty.customResourceLeakDetector") != null) {
            return false;
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "paranoid");
            // ResourceLeakDetector read the property when it loaded, as the superclass of this one: just now.
            setLevel(Level.PARANOID);
        }
        System.setProperty("io.netty.customResourceLeakDetector", SoakLeakDetector.class.getName());
        installed = true;
        return true;
    }

    /**
     * Collects garbage and makes the detector look (it looks as buffers are allocated), a few times.
     *
     * @return leaks reported so far, or -1 if this detector is not the one installed
     */
    static long countLeaks() {
        if (!installed) {
            return -1;
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            for (int j = 0; j < 64; j++) {
                release(PooledByteBufAllocator.DEFAULT.directBuffer(16));
                release(UnpooledByteBufAllocator.DEFAULT.heapBuffer(16));
                release(ByteBufAllocator.DEFAULT.directBuffer(16));
            }
        }
        return LEAKS.get();
    }

    private static void release(ByteBuf buffer) {
        buffer.release();
    }
}
