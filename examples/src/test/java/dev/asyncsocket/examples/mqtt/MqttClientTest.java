package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.examples.servers.ServerProcess;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MQTT client against a real mosquitto, one broker for the class, on every transport. */
@DisplayName("The MQTT client, against mosquitto,")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MqttClientTest {

    private static final int QOS1_MESSAGES = 10_000;
    private static final int QOS0_MESSAGES = 1_000;
    private static final int WINDOW = 200;

    private static ServerProcess broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = Clients.startBroker();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @DisplayName("delivers 10,000 QoS 1 messages, each acknowledged once, intact and in order")
    @EachTransport
    void delivers10000Qos1MessagesEachAcknowledgedOnceIntactAndInOrder(NettyTransport transport) throws Exception {
        assertStreamArrives(transport, 1, QOS1_MESSAGES);
    }

    @DisplayName("delivers QoS 0 messages intact and in order")
    @EachTransport
    void deliversQos0MessagesIntactAndInOrder(NettyTransport transport) throws Exception {
        assertStreamArrives(transport, 0, QOS0_MESSAGES);
    }

    @DisplayName("delivers payloads from 0 bytes to 256 KiB intact, copied into the packet or gathered after it")
    @EachTransport
    void deliversPayloadsOfEverySizeIntact(NettyTransport transport) throws Exception {
        int[] sizes = {0, 1, 511, 512, 513, 65_536, 262_144};
        try (Clients clients = Clients.on(transport, broker)) {
            String topic = "sizes/" + transport;
            BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            MqttClient subscriber = clients.connect("sizes-subscriber", (t, payload, qos) -> {
                byte[] copy = new byte[payload.remaining()];
                payload.get(copy);
                received.add(copy);
            });
            subscriber.subscribe(topic, 1).get(10, TimeUnit.SECONDS);
            MqttClient publisher = clients.connect("sizes-publisher", Clients.NO_MESSAGES);
            for (int size : sizes) {
                byte[] payload = new byte[size];
                new SplittableRandom(size).nextBytes(payload);
                ByteBuffer buffer = ByteBuffer.wrap(payload);
                publisher.publish(topic, buffer, 1).get(10, TimeUnit.SECONDS);
                assertEquals(0, buffer.position(), "the payload's position is left alone");
                assertArrayEquals(payload, received.poll(10, TimeUnit.SECONDS), size + " bytes");
            }
        }
    }

    @DisplayName("exchanges PINGREQ and PINGRESP at its keep-alive")
    @EachTransport
    void exchangesPingsAtItsKeepAlive(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            MqttClient client = clients.connect(clients.options("pinger").withKeepAliveSeconds(1), Clients.NO_MESSAGES);
            while (client.pingResponses() < 2) {
                assertTrue(client.isConnected(), () -> "closed: " + client.closed().getNow(null));
                Thread.sleep(10); // polls the counter; the test's timeout bounds the wait
            }
            assertTrue(client.pingsSent() >= client.pingResponses(), client.pingsSent() + " sent");
            assertTrue(client.isConnected());
        }
    }

    @DisplayName("fails to connect where no broker listens, with the connect's cause")
    @EachTransport
    void failsToConnectWhereNoBrokerListens(NettyTransport transport) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (Clients clients = Clients.on(transport, broker)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> MqttClient.connect(clients.engine(),
                    "127.0.0.1", port, clients.options("nobody"), Clients.NO_MESSAGES).get(15, TimeUnit.SECONDS));
            MqttException failure = assertInstanceOf(MqttException.class, e.getCause());
            assertInstanceOf(ConnectException.class, failure.getCause(), failure.toString());
        }
    }

    @DisplayName("once closed, fails new operations at once, with why it closed")
    @EachTransport
    void onceClosedFailsNewOperationsAtOnce(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            MqttClient client = clients.connect("closer", Clients.NO_MESSAGES);
            client.close();
            MqttException why = client.closed().getNow(null);
            assertEquals("closed by the client", why.getMessage());

            CompletableFuture<Void> publish = client.publish("t", ByteBuffer.allocate(1), 1);
            Throwable failure = Clients.failureOf(publish);
            assertEquals("the client is closed", failure.getMessage());
            assertEquals(why, failure.getCause());
        }
    }

    @DisplayName("disconnects cleanly: DISCONNECT written, then closed")
    @EachTransport
    void disconnectsCleanly(NettyTransport transport) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            MqttClient client = clients.connect("leaver", Clients.NO_MESSAGES);
            client.publish("leaving", ByteBuffer.wrap(new byte[] {1}), 1).get(10, TimeUnit.SECONDS);
            MqttException why = client.disconnect().get(10, TimeUnit.SECONDS);
            assertEquals("disconnected by the client", why.getMessage());
            assertTrue(!client.isConnected());
        }
    }

    private static void assertStreamArrives(NettyTransport transport, int qos, int messages) throws Exception {
        try (Clients clients = Clients.on(transport, broker)) {
            String topic = "stream/qos" + qos + "/" + transport;
            NumberedMessages.Checker checker = new NumberedMessages.Checker(messages);
            MqttClient subscriber = clients.connect("subscriber-qos" + qos, checker);
            assertEquals(qos, subscriber.subscribe(topic, qos).get(10, TimeUnit.SECONDS), "granted QoS");
            MqttClient publisher = clients.connect("publisher-qos" + qos, Clients.NO_MESSAGES);

            NumberedMessages.Published published = NumberedMessages.publish(publisher, topic, qos, messages, WINDOW, n -> { });
            assertEquals(0, published.failed(), () -> "failed publishes; the first: " + published.firstFailure());
            assertNull(published.firstFailure());
            assertEquals(messages, published.completed());

            checker.all().get(30, TimeUnit.SECONDS);
            assertEquals(0, checker.wrong(), checker::firstWrong);
            assertEquals(messages, checker.received());
            assertTrue(publisher.isConnected() && subscriber.isConnected());
        }
    }
}
