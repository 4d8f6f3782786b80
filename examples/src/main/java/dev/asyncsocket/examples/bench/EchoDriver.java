package dev.asyncsocket.examples.bench;

import org.HdrHistogram.Histogram;

/**
 * Pipelined messages and ping-pong (B, C): keeps the workload's window of messages awaiting their echo, the
 * next message going out as one comes back whole. With latency measured (C), each round trip is recorded,
 * from just before the send to the arrival of its last echoed byte. Threading as {@link Driver}.
 */
final class EchoDriver extends Driver {

    private final int messageBytes;
    private final long[] sentAt;
    private final Histogram histogram;
    private long echoed;

    EchoDriver(Workload workload) {
        super(workload);
        this.messageBytes = workload.messageBytes();
        this.sentAt = new long[workload.window()];
        this.histogram = workload.measuresLatency() ? new Histogram(3) : null;
    }

    @Override
    protected void roundStarted() {
        echoed = 0;
        if (histogram != null) {
            histogram.reset();
        }
    }

    @Override
    protected void beforeSend(long index) {
        if (histogram != null) {
            sentAt[(int) (index % sentAt.length)] = System.nanoTime();
        }
    }

    @Override
    protected void received(int bytes) {
        long whole = bytesReceived() / messageBytes;
        int newlyEchoed = (int) (whole - echoed);
        if (histogram != null) {
            long now = lastReceiveNanos();
            for (long i = echoed; i < whole; i++) {
                histogram.recordValue(now - sentAt[(int) (i % sentAt.length)]);
            }
        }
        echoed = whole;
        grant(newlyEchoed);
    }

    @Override
    protected long expectedReceived(long streamed) {
        return sendsIssued() * messageBytes;
    }

    @Override
    protected Latency latency() {
        return histogram == null ? null : Latency.of(histogram);
    }
}
