package dev.asyncsocket.examples.bench;

import org.HdrHistogram.Histogram;

/** Round-trip latency percentiles of one round, in microseconds. Immutable. */
record Latency(double p50, double p99, double p999) {

    static Latency of(Histogram nanos) {
        return new Latency(micros(nanos, 50), micros(nanos, 99), micros(nanos, 99.9));
    }

    private static double micros(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e3;
    }
}
