package dev.asyncsocket.examples.mqtt;

import com.sun.management.OperatingSystemMXBean;
import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The example MQTT client against Eclipse Paho (1.2.5, {@code MqttAsyncClient}), side by side in one run, against one
 * mosquitto it starts, in interleaved rounds (the order of the two swaps every round), each client on its own
 * connection. Both are driven by the same code through {@link BenchClient}:
 * <ul>
 *   <li><b>QoS 0 publish rate</b>: 64-byte QoS 0 publishes to a topic nobody subscribes to, at most 1,000 not yet
 *       completed (a client completes a QoS 0 publish once written), for the round's time; once all completed, one
 *       QoS 1 publish, whose PUBACK says the broker has read every QoS 0 one before it. Messages per second from the first publish
 *       to that PUBACK.</li>
 *   <li><b>QoS 1 round trip</b>: one 64-byte QoS 1 publish at a time, from the call to its completion on PUBACK,
 *       seen by the publishing thread; p50 and p99.</li>
 * </ul>
 * Beside each, the process's CPU time (all threads) per message and per round trip: the broker runs in its own
 * process, so this is the client's cost, and it depends less than rates and latencies on what else the machine runs.
 * And how busy the broker was during the QoS 0 phase (its CPU time over the phase's, Linux only): near 100% the
 * broker's one thread, not the client, sets the rate.
 * Each round gives a ratio per figure, this client's over Paho's, oriented so that above 1 means this client did
 * better (rate: ours / Paho's; latency and CPU: Paho's / ours). The summary gives each ratio's median and the range over the
 * rounds. A warm-up round of each runs first and is not counted.
 *
 * <p>Usage: {@code MqttVsPahoBenchmark [rounds] [seconds per workload] [NIO|EPOLL|IO_URING]}; default 5 rounds of
 * 2 s, the best transport. Exits 2 if mosquitto is not installed.
 */
public final class MqttVsPahoBenchmark {

    private static final int WINDOW = 1_000;
    private static final byte[] PAYLOAD = new byte[64];
    private static final String TOPIC = "bench/nobody-listens";

    private MqttVsPahoBenchmark() {
    }

    /**
     * One client's figures in one round; the CPU figures are the whole process's CPU time (every thread: the
     * benchmark's, the client's) per message and per round trip, which depend less on what else the machine runs.
     */
    record Figures(double qos0PerSecond, double qos0CpuMicros, double brokerBusy, double p50Micros, double p99Micros,
                   double qos1CpuMicros) {
    }

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] arguments) throws Exception {
        String[] args = String.join(" ", arguments).trim().split("\\s+");
        int rounds = args.length > 0 && !args[0].isEmpty() ? Integer.parseInt(args[0]) : 5;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        NettyTransport transport = args.length > 2 ? NettyTransport.valueOf(args[2].toUpperCase()) : NettyTransport.best();
        if (ServerProcess.find(Mosquitto.EXECUTABLE).isEmpty()) {
            System.err.println("mosquitto is not installed: the benchmark runs both clients against a real broker."
                    + " Install it with: sudo apt-get install -y " + Mosquitto.DEBIAN_PACKAGE);
            System.exit(2);
        }
        run(rounds, seconds, transport, System.out);
        System.exit(0);
    }

    static void run(int rounds, double seconds, NettyTransport transport, PrintStream out) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        if (engine == null) {
            throw new IllegalArgumentException(transport + " is not available here");
        }
        try (ServerProcess broker = Mosquitto.start();
             BenchClient ours = AsyncSocketBenchClient.connect(engine, broker.port(), "bench-async-socket", WINDOW);
             BenchClient paho = PahoBenchClient.connect(broker.port(), "bench-paho", WINDOW)) {
            out.printf("%s; %s and %s, %d CPUs; %d rounds of %.1f s per workload, 64-byte payloads, %d QoS 0 publishes in flight%n",
                    broker, ours.name(), paho.name(), Runtime.getRuntime().availableProcessors(), rounds, seconds, WINDOW);
            long brokerPid = broker.pid();
            measure(ours, Math.min(seconds, 1), brokerPid);
            measure(paho, Math.min(seconds, 1), brokerPid);
            out.println("warm-up done");

            List<double[]> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                boolean oursFirst = round % 2 == 1;
                Figures first = measure(oursFirst ? ours : paho, seconds, brokerPid);
                Figures second = measure(oursFirst ? paho : ours, seconds, brokerPid);
                Figures a = oursFirst ? first : second;
                Figures p = oursFirst ? second : first;
                double[] ratio = {a.qos0PerSecond() / p.qos0PerSecond(), p.qos0CpuMicros() / a.qos0CpuMicros(),
                        p.p50Micros() / a.p50Micros(), p.p99Micros() / a.p99Micros(), p.qos1CpuMicros() / a.qos1CpuMicros()};
                ratios.add(ratio);
                out.printf("round %d (%s first), async-socket vs Paho: QoS 0 %,.0f vs %,.0f msg/s (%.2fx), CPU %.1f vs %.1f us/msg"
                                + " (%.2fx), broker busy %.0f%% vs %.0f%%; QoS 1 round trip p50 %.0f vs %.0f us (%.2fx), p99 %.0f vs %.0f us (%.2fx),"
                                + " CPU %.1f vs %.1f us (%.2fx)%n", round, oursFirst ? "async-socket" : "Paho",
                        a.qos0PerSecond(), p.qos0PerSecond(), ratio[0], a.qos0CpuMicros(), p.qos0CpuMicros(), ratio[1],
                        a.brokerBusy() * 100, p.brokerBusy() * 100,
                        a.p50Micros(), p.p50Micros(), ratio[2], a.p99Micros(), p.p99Micros(), ratio[3],
                        a.qos1CpuMicros(), p.qos1CpuMicros(), ratio[4]);
            }
            out.println("summary (async-socket relative to Paho, above 1 = better; median, min-max over " + rounds + " rounds):");
            String[] names = {"QoS 0 publish rate", "QoS 0 CPU per message", "QoS 1 round trip p50", "QoS 1 round trip p99",
                    "QoS 1 CPU per round trip"};
            for (int i = 0; i < names.length; i++) {
                int figure = i;
                double[] values = ratios.stream().mapToDouble(r -> r[figure]).sorted().toArray();
                out.printf("  %-25s %.2fx (%.2f-%.2f)%n", names[i], median(values), values[0], values[values.length - 1]);
            }
        } finally {
            engine.decRef();
        }
    }

    private static Figures measure(BenchClient client, double seconds, long brokerPid) throws Exception {
        long nanos = (long) (seconds * 1e9);
        long cpu = OS.getProcessCpuTime();
        long brokerCpu = cpuNanosOf(brokerPid);
        long[] qos0 = qos0Publishes(client, nanos);
        long qos0Cpu = OS.getProcessCpuTime() - cpu;
        double brokerBusy = (double) (cpuNanosOf(brokerPid) - brokerCpu) / qos0[1];
        Histogram roundTrips = qos1RoundTrips(client, nanos);
        long qos1Cpu = OS.getProcessCpuTime() - cpu - qos0Cpu;
        return new Figures(qos0[0] * 1e9 / qos0[1], qos0Cpu / 1e3 / qos0[0], brokerBusy, roundTrips.getValueAtPercentile(50) / 1e3,
                roundTrips.getValueAtPercentile(99) / 1e3, qos1Cpu / 1e3 / roundTrips.getTotalCount());
    }

    /** How many QoS 0 publishes, and in how many nanoseconds up to the fence's PUBACK. */
    private static long[] qos0Publishes(BenchClient client, long nanos) throws Exception {
        Semaphore room = new Semaphore(WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + nanos;
        long published = 0;
        while (System.nanoTime() < end) {
            room.acquire();
            client.publish(TOPIC, PAYLOAD, 0).whenComplete((ignored, failed) -> {
                if (failed != null) {
                    failure.compareAndSet(null, failed);
                }
                room.release();
            });
            published++;
        }
        if (!room.tryAcquire(WINDOW, 30, TimeUnit.SECONDS) || failure.get() != null) {
            throw new IllegalStateException(client.name() + ": QoS 0 publishes failed or did not complete", failure.get());
        }
        client.publish(TOPIC, PAYLOAD, 1).get(30, TimeUnit.SECONDS); // the broker has read every one before it
        return new long[] {published, System.nanoTime() - start};
    }

    private static Histogram qos1RoundTrips(BenchClient client, long nanos) throws Exception {
        Histogram roundTrips = new Histogram(3);
        long end = System.nanoTime() + nanos;
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            client.publish(TOPIC, PAYLOAD, 1).get(10, TimeUnit.SECONDS);
            roundTrips.recordValue(System.nanoTime() - now);
        }
        return roundTrips;
    }

    /**
     * The CPU time another process has used (user and system, from Linux's {@code /proc/<pid>/stat}, in clock ticks
     * taken as 10 ms); 0 where that cannot be read.
     */
    private static long cpuNanosOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L; // utime, stime
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double median(double[] sorted) {
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

}
