package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
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
 * Each round gives a ratio per figure, this client's over Paho's, oriented so that above 1 means this client did
 * better (rate: ours / Paho's; latency: Paho's / ours). The summary gives each ratio's median and the range over the
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

    /** One client's figures in one round. */
    record Figures(double qos0PerSecond, double p50Micros, double p99Micros) {
    }

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
            out.printf("%s; %s and %s; %d rounds of %.1f s per workload, 64-byte payloads, %d QoS 0 publishes in flight%n",
                    broker, ours.name(), paho.name(), rounds, seconds, WINDOW);
            measure(ours, Math.min(seconds, 1));
            measure(paho, Math.min(seconds, 1));
            out.println("warm-up done");

            List<double[]> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                boolean oursFirst = round % 2 == 1;
                Figures first = measure(oursFirst ? ours : paho, seconds);
                Figures second = measure(oursFirst ? paho : ours, seconds);
                Figures a = oursFirst ? first : second;
                Figures p = oursFirst ? second : first;
                double[] ratio = {a.qos0PerSecond() / p.qos0PerSecond(), p.p50Micros() / a.p50Micros(), p.p99Micros() / a.p99Micros()};
                ratios.add(ratio);
                out.printf("round %d (%s first): QoS 0 %,.0f vs %,.0f msg/s (%.2fx); QoS 1 round trip p50 %.0f vs %.0f us (%.2fx),"
                                + " p99 %.0f vs %.0f us (%.2fx)%n", round, oursFirst ? "async-socket" : "Paho",
                        a.qos0PerSecond(), p.qos0PerSecond(), ratio[0], a.p50Micros(), p.p50Micros(), ratio[1],
                        a.p99Micros(), p.p99Micros(), ratio[2]);
            }
            out.println("summary (async-socket relative to Paho, above 1 = better; median, min-max over " + rounds + " rounds):");
            String[] names = {"QoS 0 publish rate", "QoS 1 round trip p50", "QoS 1 round trip p99"};
            for (int i = 0; i < names.length; i++) {
                int figure = i;
                double[] values = ratios.stream().mapToDouble(r -> r[figure]).sorted().toArray();
                out.printf("  %-22s %.2fx (%.2f-%.2f)%n", names[i], median(values), values[0], values[values.length - 1]);
            }
        } finally {
            engine.decRef();
        }
    }

    private static Figures measure(BenchClient client, double seconds) throws Exception {
        long nanos = (long) (seconds * 1e9);
        double rate = qos0Rate(client, nanos);
        Histogram roundTrips = qos1RoundTrips(client, nanos);
        return new Figures(rate, roundTrips.getValueAtPercentile(50) / 1e3, roundTrips.getValueAtPercentile(99) / 1e3);
    }

    private static double qos0Rate(BenchClient client, long nanos) throws Exception {
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
        return published * 1e9 / (System.nanoTime() - start);
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

    private static double median(double[] sorted) {
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

}
