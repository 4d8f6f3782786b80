package dev.asyncsocket.examples.bench.jmh;

import dev.asyncsocket.examples.bench.Loopback;
import dev.asyncsocket.netty.NettyTransport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One send completion of {@code NettyAsyncSocket}: a {@code sendAsync} of {@code buffers} x 1 KiB direct
 * buffers issued on the event loop (from the previous send's callback, 16 outstanding) until its callback
 * has run. With {@code -prof gc}, {@code gc.alloc.rate.norm} is what one send costs in allocation on every
 * thread (the peer, which discards, adds next to nothing).
 *
 * <p>Threading: the benchmark thread hands each batch to the socket's event loop and parks until the batch's
 * last callback wakes it; the sends and their callbacks all run on the event loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SendCompletionBenchmark {

    static final int BATCH = 4096;
    private static final int WINDOW = 16;
    private static final int BUFFER_BYTES = 1024;

    @Param({"1", "8"})
    public int buffers;

    @Param({"EPOLL"})
    public NettyTransport transport;

    private Loopback loopback;
    private SendBatch batch;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loopback = Loopback.toDiscardingPeer(transport);
        ByteBuffer[] payload = new ByteBuffer[buffers];
        for (int i = 0; i < buffers; i++) {
            payload[i] = ByteBuffer.allocateDirect(BUFFER_BYTES);
        }
        batch = new SendBatch(loopback, payload, WINDOW, BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loopback.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sendCompletion() {
        batch.runAndAwait();
    }
}
