package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@link SideBySideBenchmark}. Arguments may come as one string (Maven's
 * {@code -Dexample.args}); they are split on whitespace. Immutable.
 *
 * <pre>
 * --quick                 3 rounds of 200 ms after a 300 ms warm-up (under a minute); default 5 x 700 ms, 2 s warm-up
 * --rounds N              measured rounds per stack and workload
 * --round-ms N            length of one round
 * --warmup-ms N           one unmeasured round per stack and workload first
 * --transports a,b        epoll, nio, io_uring (default: every one available here)
 * --workloads A,B         A..E (default: all)
 * --stacks a,b            asyncsocket, netty, jdk (default: all)
 * --copy-below N          the AsyncSocket engine's sendCopyThreshold: sends under N bytes leave copied, in one
 *                         write per burst (default: the engine's own default; 0: none copied)
 * </pre>
 */
record Options(boolean quick, int rounds, long roundMillis, long warmupMillis, List<NettyTransport> transports,
               List<Workload> workloads, List<String> stacks, int copyBelow) {

    static final List<String> STACKS = List.of("asyncsocket", "netty", "jdk");

    static Options parse(String[] args) {
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            words.addAll(Arrays.asList(arg.trim().split("\\s+")));
        }
        words.removeIf(String::isEmpty);
        boolean quick = words.contains("--quick");
        int rounds = quick ? 3 : 5;
        long roundMillis = quick ? 200 : 700;
        long warmupMillis = quick ? 300 : 2000;
        List<NettyTransport> transports =
                available(List.of(NettyTransport.EPOLL, NettyTransport.NIO, NettyTransport.IO_URING));
        List<Workload> workloads = List.of(Workload.values());
        List<String> stacks = STACKS;
        int copyBelow = NettyExecutionEngine.DEFAULT_SEND_COPY_THRESHOLD;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("--quick")) {
                continue;
            }
            if (i + 1 == words.size()) {
                throw new IllegalArgumentException("unknown option or missing value: " + word);
            }
            String value = words.get(++i);
            switch (word) {
                case "--rounds":
                    rounds = positive(word, value);
                    break;
                case "--round-ms":
                    roundMillis = positive(word, value);
                    break;
                case "--warmup-ms":
                    warmupMillis = Integer.parseInt(value);
                    break;
                case "--transports":
                    transports = available(list(value, v -> NettyTransport.valueOf(v.toUpperCase(Locale.ROOT))));
                    break;
                case "--workloads":
                    workloads = list(value, v -> Workload.valueOf(v.toUpperCase(Locale.ROOT)));
                    break;
                case "--stacks":
                    stacks = list(value, v -> {
                        if (!STACKS.contains(v)) {
                            throw new IllegalArgumentException("unknown stack " + v + "; one of " + STACKS);
                        }
                        return v;
                    });
                    break;
                case "--copy-below":
                    copyBelow = Integer.parseInt(value);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + word);
            }
        }
        return new Options(quick, rounds, roundMillis, warmupMillis, transports, workloads, stacks, copyBelow);
    }

    /** A generous bound on the run's wall time, for the watchdog. */
    long timeLimitMillis() {
        long cells = (long) transports.size() * workloads.size() * stacks.size();
        return 60_000 + 3 * cells * (warmupMillis + rounds * roundMillis + 200);
    }

    @Override
    public String toString() {
        return String.format("%d rounds of %d ms after a %d ms warm-up; transports %s; workloads %s; stacks %s;"
                + " AsyncSocket copies sends under %d B", rounds, roundMillis, warmupMillis, transports, workloads,
                stacks, copyBelow);
    }

    private static List<NettyTransport> available(List<NettyTransport> transports) {
        List<NettyTransport> available = new ArrayList<>();
        for (NettyTransport transport : transports) {
            if (transport.isAvailable()) {
                available.add(transport);
            } else {
                System.out.println("(" + transport + " is not available here: skipped)");
            }
        }
        return available;
    }

    private static int positive(String option, String value) {
        int parsed = Integer.parseInt(value);
        if (parsed < 1) {
            throw new IllegalArgumentException(option + " must be at least 1");
        }
        return parsed;
    }

    private static <T> List<T> list(String value, java.util.function.Function<String, T> parse) {
        List<T> parsed = new ArrayList<>();
        for (String item : value.split(",")) {
            parsed.add(parse.apply(item.trim()));
        }
        return parsed;
    }
}
