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
 * One receive completion of {@code NettyAsyncSocket}: a {@code receiveAsync} of one direct 64 KiB buffer,
 * posted again from its own callback, while the peer streams 64 KiB chunks. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is what one receive costs in allocation on every thread (the streaming peer
 * writes recycled duplicates and adds next to nothing).
 *
 * <p>Threading: the benchmark thread hands each batch to the socket's event loop and parks until the batch's
 * last callback wakes it; the receives and their callbacks all run on the event loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReceiveCompletionBenchmark {

    static final int BATCH = 1024;
    private static final int BUFFER_BYTES = 64 * 1024;

    @Param({"EPOLL"})
    public NettyTransport transport;

    private Loopback loopback;
    private ReceiveBatch batch;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loopback = Loopback.fromStreamingPeer(transport);
        batch = new ReceiveBatch(loopback, ByteBuffer.allocateDirect(BUFFER_BYTES), BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loopback.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void receiveCompletion() {
        batch.runAndAwait();
    }
}
