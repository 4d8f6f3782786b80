package dev.asyncsocket.examples;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.LoopbackPair;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that writes without end, and an application that posts a receive only now and then (guarantee 5,
 * backpressure). The socket reads from the network only while a receive is pending, so the peer is held
 * back by TCP: what it managed to write stays within what the socket buffers hold plus one read burst, and
 * the process's memory stays flat. Bounds are generous; nothing here depends on how fast anything runs.
 */
@DisplayName("A slow consumer")
class SlowConsumerTest {

    private static final int RECEIVES = 150;
    private static final int RECEIVE_SIZE = 64 * 1024;
    private static final long PACE_MILLIS = 10;
    /** One read burst and the socket's surplus: far more than Netty reads at once (64 KiB at most here). */
    private static final long ONE_BURST = 1 << 20;
    private static final long MIB = 1 << 20;

    @DisplayName("holds the writing peer back through TCP and keeps memory flat")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void holdsTheWritingPeerBackAndKeepsMemoryFlat(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            ByteBufAllocator allocator = pair.transport().channel().alloc();
            AtomicLong written = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<IOException> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> writeForever(pair, written, stop, writerFailure), "endless-peer");
            writer.setDaemon(true);
            writer.start();

            Consumer consumer = new Consumer(pair, allocator, written);
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            long heapBefore;
            try {
                pace.scheduleWithFixedDelay(consumer::receiveIfIdle, 0, PACE_MILLIS, TimeUnit.MILLISECONDS);
                assertTrue(consumer.warmedUp.await(30, TimeUnit.SECONDS), "the first receives did not complete");
                heapBefore = heapAfterGc();
                assertTrue(consumer.done.await(60, TimeUnit.SECONDS), "the receives did not complete");
            } finally {
                pace.shutdownNow();
                pace.awaitTermination(10, TimeUnit.SECONDS);
            }
            long heapAfter = heapAfterGc();

            long buffers = socketBufferBound();
            long ahead = consumer.maxAhead.get();
            System.out.printf("%s: consumed %,d bytes in %d receives; the peer wrote at most %,d bytes ahead"
                            + " (bound %,d: socket buffer maxima %,d + one burst; peer SO_SNDBUF now %,d);"
                            + " Netty direct memory %,d at warm-up, max %,d; channel allocator %,d at warm-up, max %,d;"
                            + " heap after GC %,d -> %,d bytes%n",
                    kind, consumer.consumed.get(), RECEIVES, ahead, buffers + ONE_BURST, buffers,
                    pair.peer().getSendBufferSize(), consumer.directAtWarmup, consumer.directMax.get(),
                    consumer.allocatorAtWarmup, consumer.allocatorMax.get(), heapBefore, heapAfter);

            assertNull(consumer.failure.get(), consumer.failure.get());
            assertEquals(RECEIVES, consumer.completed.get());
            // The peer is held back: what it wrote beyond what was consumed fits in the socket buffers.
            assertTrue(ahead <= buffers + ONE_BURST, "the peer got " + ahead + " bytes ahead of the consumer");
            // Memory stays flat: no growing surplus in Netty buffers or on the heap.
            assertTrue(consumer.directMax.get() - consumer.directAtWarmup <= 8 * MIB,
                    "Netty direct memory grew from " + consumer.directAtWarmup + " to " + consumer.directMax.get());
            assertTrue(consumer.allocatorMax.get() - consumer.allocatorAtWarmup <= 8 * MIB,
                    "the channel allocator's memory grew from " + consumer.allocatorAtWarmup + " to " + consumer.allocatorMax.get());
            assertTrue(heapAfter - heapBefore <= 32 * MIB, "the heap grew from " + heapBefore + " to " + heapAfter);

            stop.set(true);
            pair.socket().close(); // the peer's blocked write fails now
            writer.join(10_000);
            assertTrue(!writer.isAlive(), "the peer's writer is still blocked");
        }
    }

    /** Posts one receive at a time when paced, checks the bytes (a counting pattern) and samples memory. */
    private static final class Consumer {
        final LoopbackPair pair;
        final ByteBufAllocator allocator;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_SIZE);
        final AtomicBoolean receiving = new AtomicBoolean();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong maxAhead = new AtomicLong();
        final AtomicLong directMax = new AtomicLong();
        final AtomicLong allocatorMax = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        final CountDownLatch warmedUp = new CountDownLatch(10);
        final CountDownLatch done = new CountDownLatch(RECEIVES);
        volatile long directAtWarmup;
        volatile long allocatorAtWarmup;
        private final AtomicLong writtenByPeer;

        Consumer(LoopbackPair pair, ByteBufAllocator allocator, AtomicLong writtenByPeer) {
            this.pair = pair;
            this.allocator = allocator;
            this.writtenByPeer = writtenByPeer;
        }

        void receiveIfIdle() {
            if (completed.get() >= RECEIVES || !receiving.compareAndSet(false, true)) {
                return;
            }
            buffer.clear();
            if (pair.socket().receiveAsync(new ByteBuffer[] {buffer}, this::received, null) != 0) {
                failure.compareAndSet(null, "a receive was refused");
            }
        }

        private void received(Object context, ReceiveResult result, int bytes) {
            if (result != ReceiveResult.OK) {
                failure.compareAndSet(null, "a receive completed " + result);
                return;
            }
            long start = consumed.get();
            for (int i = 0; i < bytes; i++) {
                if (buffer.get(i) != (byte) ((start + i) % 251)) {
                    failure.compareAndSet(null, "byte " + (start + i) + " is wrong");
                    break;
                }
            }
            long total = consumed.addAndGet(bytes);
            maxAhead.accumulateAndGet(writtenByPeer.get() - total, Math::max);
            sampleMemory();
            if (completed.incrementAndGet() == 10) {
                directAtWarmup = directMax.get();
                allocatorAtWarmup = allocatorMax.get();
            }
            receiving.set(false);
            warmedUp.countDown();
            done.countDown();
        }

        private void sampleMemory() {
            directMax.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max);
            if (allocator instanceof ByteBufAllocatorMetricProvider) {
                allocatorMax.accumulateAndGet(((ByteBufAllocatorMetricProvider) allocator).metric().usedDirectMemory(), Math::max);
            }
        }
    }

    private static void writeForever(LoopbackPair pair, AtomicLong written, AtomicBoolean stop,
                                     AtomicReference<IOException> failure) {
        byte[] chunk = new byte[251 * 64];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i % 251);
        }
        try {
            OutputStream out = pair.peer().getOutputStream();
            while (!stop.get()) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            failure.set(e);
        }
    }

    /** The most bytes the kernel may hold between the peer's writes and the socket: both ends' buffer maxima. */
    private static long socketBufferBound() throws IOException {
        return maxOf(Path.of("/proc/sys/net/ipv4/tcp_rmem"), 6 * MIB) + maxOf(Path.of("/proc/sys/net/ipv4/tcp_wmem"), 4 * MIB);
    }

    private static long maxOf(Path sysctl, long fallback) throws IOException {
        if (!Files.isReadable(sysctl)) {
            return fallback;
        }
        String line;
        try (var reader = Files.newBufferedReader(sysctl)) { // not Files.readString: procfs reports size 0
            line = reader.readLine();
        }
        String[] values = line.trim().split("\\s+");
        return Long.parseLong(values[values.length - 1]);
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
