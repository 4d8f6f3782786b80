package dev.asyncsocket.examples.bench.jmh;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the send- and receive-completion microbenchmarks with the GC profiler (one fork, 3 x 1 s warm-up,
 * 5 x 1 s measurement), from the examples' classpath: no shaded jar needed. Arguments, if any, are
 * benchmark-name patterns that replace the default (both benchmarks).
 */
public final class AllocationBenchmarks {

    private AllocationBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        OptionsBuilder builder = new OptionsBuilder();
        String given = String.join(" ", args).trim(); // Maven passes the arguments as one string
        String[] patterns = given.isEmpty()
                ? new String[] {SendCompletionBenchmark.class.getSimpleName(), ReceiveCompletionBenchmark.class.getSimpleName()}
                : given.split("\\s+");
        for (String pattern : patterns) {
            builder.include(pattern);
        }
        Options options = builder
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler("gc")
                .build();
        new Runner(options).run();
    }
}
