package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MQTT client against a real broker: starts a mosquitto on a free loopback port, connects a subscriber and a
 * publisher, streams numbered QoS 1 messages from one to the other (every one acknowledged, and checked on arrival:
 * intact, once, in order), then times QoS 1 round trips (publish to PUBACK, one at a time). It prints a progress
 * line twice a second and a summary, and exits 0 when every message arrived intact and in order, 1 when not, 2 when
 * mosquitto is not installed or the transport is not available.
 *
 * <p>Usage: {@code MqttDemo [NIO|EPOLL|IO_URING] [messages]}; default: the best transport, 10,000 messages.
 */
public final class MqttDemo {

    private static final String TOPIC = "demo/stream";
    private static final int WINDOW = 200;
    private static final int ROUND_TRIPS = 1_000;
    private static final int KEEP_ALIVE_SECONDS = 1;

    private MqttDemo() {
    }

    public static void main(String[] arguments) {
        // Maven's demo profile passes -Dexample.args as one argument: split it.
        String[] args = String.join(" ", arguments).trim().split("\\s+");
        NettyTransport transport = !args[0].isEmpty() ? NettyTransport.valueOf(args[0].toUpperCase()) : NettyTransport.best();
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        if (ServerProcess.find(Mosquitto.EXECUTABLE).isEmpty()) {
            System.err.println("mosquitto is not installed: this demo runs the client against a real broker."
                    + " Install it with: sudo apt-get install -y " + Mosquitto.DEBIAN_PACKAGE);
            System.exit(2);
        }
        if (!transport.isAvailable()) {
            System.err.println(transport + " is not available here");
            System.exit(2);
        }
        try {
            System.exit(run(transport, messages, System.out).passed() ? 0 : 1);
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    /** What one run did; {@link #passed()} when every message was acknowledged and arrived intact, in order. */
    public record Summary(int messages, int acknowledged, int failed, int received, int wrong, double seconds,
                          long pingsSent, long pingResponses, double roundTripP50Micros, double roundTripP99Micros) {

        public boolean passed() {
            return acknowledged == messages && failed == 0 && received == messages && wrong == 0;
        }
    }

    /**
     * Runs the demo on {@code transport} against a mosquitto it starts and stops, printing to {@code out}.
     *
     * @throws Exception if mosquitto will not start, a client cannot connect, or a step takes too long
     */
    public static Summary run(NettyTransport transport, int messages, PrintStream out) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        if (engine == null) {
            throw new IllegalArgumentException(transport + " is not available here");
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (ServerProcess broker = Mosquitto.start()) {
            out.printf("%s started; transport %s, %,d QoS 1 messages%n", broker, transport, messages);
            MqttOptions options = MqttOptions.defaults("demo-subscriber").withKeepAliveSeconds(KEEP_ALIVE_SECONDS);
            NumberedMessages.Checker checker = new NumberedMessages.Checker(messages);
            MqttClient subscriber = MqttClient.connect(engine, "127.0.0.1", broker.port(), options, checker)
                    .get(10, TimeUnit.SECONDS);
            int granted = subscriber.subscribe(TOPIC, 1).get(10, TimeUnit.SECONDS);
            MqttClient publisher = MqttClient.connect(engine, "127.0.0.1", broker.port(),
                    MqttOptions.defaults("demo-publisher"), (topic, payload, qos) -> { }).get(10, TimeUnit.SECONDS);
            out.printf("subscriber connected, subscribed to %s (granted QoS %d); publisher connected%n", TOPIC, granted);

            AtomicInteger acknowledged = new AtomicInteger();
            long start = System.nanoTime();
            ticker.scheduleAtFixedRate(() -> out.printf("  %,7d acknowledged, %,7d received%n",
                    acknowledged.get(), checker.received()), 500, 500, TimeUnit.MILLISECONDS);
            NumberedMessages.Published published = NumberedMessages.publish(publisher, TOPIC, 1, messages, WINDOW,
                    acknowledged::set);
            checker.all().get(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            ticker.shutdownNow();

            Histogram roundTrips = new Histogram(3);
            ByteBuffer payload = ByteBuffer.wrap(new byte[64]);
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long sent = System.nanoTime();
                publisher.publish("demo/round-trip", payload.duplicate(), 1).get(10, TimeUnit.SECONDS);
                roundTrips.recordValue(System.nanoTime() - sent);
            }
            publisher.disconnect().get(10, TimeUnit.SECONDS);
            subscriber.disconnect().get(10, TimeUnit.SECONDS);

            Summary summary = new Summary(messages, published.completed() - published.failed(), published.failed(),
                    checker.received(), checker.wrong(), seconds, subscriber.pingsSent(), subscriber.pingResponses(),
                    roundTrips.getValueAtPercentile(50) / 1e3, roundTrips.getValueAtPercentile(99) / 1e3);
            print(summary, checker, published, out);
            return summary;
        } finally {
            ticker.shutdownNow();
            engine.decRef();
        }
    }

    private static void print(Summary s, NumberedMessages.Checker checker, NumberedMessages.Published published,
                              PrintStream out) {
        out.printf("%,d published at QoS 1: %,d acknowledged, %,d failed; %,d received, %,d wrong; in %.2f s (%,.0f messages/s)%n",
                s.messages(), s.acknowledged(), s.failed(), s.received(), s.wrong(), s.seconds(), s.messages() / s.seconds());
        out.printf("keep-alive %d s: the subscriber sent %d PINGREQ, got %d PINGRESP%n",
                KEEP_ALIVE_SECONDS, s.pingsSent(), s.pingResponses());
        out.printf("QoS 1 round trip (publish to PUBACK, %,d one at a time): p50 %.0f us, p99 %.0f us%n",
                ROUND_TRIPS, s.roundTripP50Micros(), s.roundTripP99Micros());
        if (s.passed()) {
            out.println("PASS: every message acknowledged once, and received intact and in order");
        } else {
            out.println("FAIL: " + (published.firstFailure() != null ? "first failed publish: " + published.firstFailure()
                    : "first wrong message: " + checker.firstWrong()));
        }
    }
}
