package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.FailureKind;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker failing under the client: each test has its own mosquitto, which it freezes (SIGSTOP: the kernel still
 * accepts and buffers, nothing answers), so that operations are surely pending, and then kills (SIGKILL).
 */
@DisplayName("When the broker fails, the MQTT client")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BrokerFailureTest {

    private static final String STREAM = "stream";
    private static final int WINDOW = 100;

    private ServerProcess broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = Clients.startBroker();
    }

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.kill(); // SIGKILL ends a frozen process too
            broker.close();
        }
    }

    @DisplayName("killed mid-stream: fails every pending publish, subscribe and connect exactly once, with a cause")
    @EachTransport
    void killedMidStreamFailsEveryPendingOperationOnceWithACause(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            StreamUnderWay stream = StreamUnderWay.start(clients);

            freeze(broker);
            CompletableFuture<Integer> subscribe = stream.subscriber.subscribe("more", 1);
            CompletableFuture<MqttClient> connect = clients.connectAsync(clients.options("latecomer"), Clients.NO_MESSAGES);
            stream.publishing.awaitWindowFull();
            assertFalse(subscribe.isDone() || connect.isDone(), "nothing answers a frozen broker");
            broker.kill();

            stream.assertEveryPublishCompletedOnceAndTheClientsSayWhy();
            assertSaysWhy(Clients.awaitFailure(subscribe));
            assertSaysWhy(Clients.awaitFailure(connect));
        }
    }

    @DisplayName("stopped mid-stream (SIGTERM): fails every publish still pending exactly once, with a cause")
    @EachTransport
    void stoppedMidStreamFailsEveryPendingPublishOnceWithACause(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            StreamUnderWay stream = StreamUnderWay.start(clients);

            broker.close(); // the broker ends its connections itself

            stream.assertEveryPublishCompletedOnceAndTheClientsSayWhy();
        }
    }

    @DisplayName("frozen: closes at the keep-alive without PINGRESP, failing what was pending with a time-out")
    @EachTransport
    void frozenClosesAtTheKeepAliveWithoutPingresp(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            MqttClient client = clients.connect(clients.options("pinger").withKeepAliveSeconds(1), Clients.NO_MESSAGES);
            freeze(broker);
            CompletableFuture<Void> publish = client.publish("t", ByteBuffer.wrap(new byte[] {1}), 1);

            MqttException why = client.closed().get(20, TimeUnit.SECONDS);
            assertTrue(why.getMessage().startsWith("no PINGRESP within the keep-alive of 1 s"), why.getMessage());
            assertInstanceOf(TimeoutException.class, why.getCause());
            assertEquals(why, Clients.awaitFailure(publish));
            assertEquals(client.pingsSent() - 1, client.pingResponses(), "the last PINGREQ went unanswered");
        }
    }

    @DisplayName("frozen: refuses at once a publish beyond its in-flight limit, and fails the held ones when killed")
    @EachTransport
    void frozenRefusesAPublishBeyondItsInFlightLimit(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            MqttClient client = clients.connect(clients.options("bounded").withMaxInFlight(3), Clients.NO_MESSAGES);
            freeze(broker);
            List<CompletableFuture<Void>> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(client.publish("t", ByteBuffer.wrap(new byte[] {(byte) i}), 1));
            }
            CompletableFuture<Void> refused = client.publish("t", ByteBuffer.wrap(new byte[] {3}), 0);
            assertEquals("3 operations are in flight already: wait for one to complete", Clients.awaitFailure(refused).getMessage());
            assertTrue(held.stream().noneMatch(CompletableFuture::isDone));

            broker.kill();
            MqttException why = client.closed().get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Void> publish : held) {
                assertEquals(why, Clients.awaitFailure(publish));
            }
            assertSaysWhy(why);
        }
    }

    /**
     * An {@link MqttException} that says how the connection went: the socket's {@link FailureKind} in its message, or
     * in that of the exception it has as its cause ("the client is closed"), or a failed TCP connect with its cause.
     */
    private static void assertSaysWhy(Throwable failure) {
        MqttException mqtt = assertInstanceOf(MqttException.class, failure);
        if (mqtt.getMessage().startsWith("TCP connect")) {
            assertNotNull(mqtt.getCause(), mqtt.toString());
            return;
        }
        Throwable why = mqtt.getMessage().startsWith("the client is closed") ? mqtt.getCause() : mqtt;
        assertNotNull(why, mqtt.toString());
        assertTrue(Stream.of(FailureKind.values()).anyMatch(kind -> why.getMessage().endsWith("(" + kind + ")")),
                mqtt.toString());
    }

    private static void freeze(ServerProcess broker) throws Exception {
        Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(broker.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -STOP " + broker.pid());
    }

    /** A subscriber and a publisher of numbered QoS 1 messages, the stream under way. */
    private record StreamUnderWay(MqttClient subscriber, MqttClient publisher, Publisher publishing, NumberedMessages.Checker checker) {

        /** Connects both, and starts publishing; returns once 500 messages went through. */
        static StreamUnderWay start(Clients clients) throws Exception {
            NumberedMessages.Checker checker = new NumberedMessages.Checker(500);
            MqttClient subscriber = clients.connect("subscriber", checker);
            subscriber.subscribe(STREAM, 1).get(10, TimeUnit.SECONDS);
            MqttClient publisher = clients.connect("publisher", Clients.NO_MESSAGES);
            Publisher publishing = new Publisher(publisher);
            publishing.start();
            checker.all().get(30, TimeUnit.SECONDS);
            return new StreamUnderWay(subscriber, publisher, publishing, checker);
        }

        /**
         * Once the broker is gone: the publisher stopped, every publish completed once, those pending failed, each
         * with a cause, both clients closed saying why, and what arrived was intact and in order.
         */
        void assertEveryPublishCompletedOnceAndTheClientsSayWhy() throws Exception {
            publishing.join(30_000);
            assertFalse(publishing.isAlive(), "the publisher still waits");
            assertEquals(publishing.issued.get(), publishing.completions.get(), "publishes issued and completed");
            assertFalse(publishing.failures.isEmpty(), "the publishes pending when the broker went failed");
            publishing.failures.forEach(BrokerFailureTest::assertSaysWhy);
            assertSaysWhy(publisher.closed().get(10, TimeUnit.SECONDS));
            assertSaysWhy(subscriber.closed().get(10, TimeUnit.SECONDS));
            assertEquals(0, checker.wrong(), checker::firstWrong);
        }
    }

    /** Publishes QoS 1 messages, at most {@link #WINDOW} at once, until one fails; counts every completion. */
    private static final class Publisher extends Thread {

        final AtomicInteger issued = new AtomicInteger();
        final AtomicInteger completions = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean failed = new AtomicBoolean();
        private final Semaphore room = new Semaphore(WINDOW);
        private final MqttClient client;

        Publisher(MqttClient client) {
            super("mqtt-publisher");
            setDaemon(true);
            this.client = client;
        }

        @Override
        public void run() {
            try {
                for (int number = 0; !failed.get(); number++) {
                    room.acquire();
                    issued.incrementAndGet();
                    client.publish(STREAM, NumberedMessages.message(number), 1).whenComplete((ignored, failure) -> {
                        if (failure != null) {
                            failures.add(failure);
                            failed.set(true);
                        }
                        completions.incrementAndGet();
                        room.release();
                    });
                }
                room.acquire(WINDOW); // every completion is in
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until {@link #WINDOW} publishes are pending at once: the broker answers none of them now. */
        void awaitWindowFull() throws InterruptedException {
            while (room.availablePermits() > 0) {
                Thread.sleep(5); // polls the condition; the test's timeout bounds the wait
            }
        }
    }
}
