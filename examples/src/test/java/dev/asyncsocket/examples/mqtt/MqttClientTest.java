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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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
