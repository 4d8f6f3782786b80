package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.EachTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MQTT client against a scripted broker on a plain loopback socket, for what mosquitto never does: refusing the
 * connection, not answering, sending malformed bytes.
 */
@DisplayName("Against a misbehaving broker, the MQTT client")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileBrokerTest {

    private static final byte[] CONNACK_ACCEPTED = {0x20, 2, 0, 0};

    @DisplayName("fails the connect with the broker's refusal")
    @EachTransport
    void failsTheConnectWithTheBrokersRefusal(NettyTransport transport) throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start(out -> out.write(new byte[] {0x20, 2, 0, 5}))) {
            MqttException refusal = connectFailure(transport, broker, MqttOptions.defaults("refused"));
            assertEquals("the broker refused the connection: not authorized (5)", refusal.getMessage());
        }
    }

    @DisplayName("fails the connect when no CONNACK comes in time")
    @EachTransport
    void failsTheConnectWhenNoConnackComesInTime(NettyTransport transport) throws Exception {
        try (ScriptedBroker broker = ScriptedBroker.start(out -> { })) {
            MqttOptions options = new MqttOptions("unanswered", 60, true, 10, 1 << 20, 300);
            MqttException timeout = connectFailure(transport, broker, options);
            assertEquals("no CONNACK within 300 ms", timeout.getMessage());
            assertInstanceOf(TimeoutException.class, timeout.getCause());
        }
    }

    @DisplayName("closes with a protocol error on a malformed remaining length, failing what was pending with it")
    @EachTransport
    void closesWithAProtocolErrorOnAMalformedRemainingLength(NettyTransport transport) throws Exception {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        try (ScriptedBroker broker = ScriptedBroker.start(out -> {
            out.write(CONNACK_ACCEPTED);
            out.flush();
            subscribed.get(10, TimeUnit.SECONDS); // the subscribe is pending when the bad bytes come
            out.write(HexFormat.of().parseHex("30ffffffff01"));
        }); Engine engine = new Engine(transport)) {
            MqttClient client = engine.connect(broker, MqttOptions.defaults("malformed"));
            CompletableFuture<Integer> subscribe = client.subscribe("t", 1);
            subscribed.complete(null);

            MqttException why = client.closed().get(10, TimeUnit.SECONDS);
            assertInstanceOf(MqttProtocolException.class, why);
            assertTrue(why.getMessage().startsWith("malformed remaining length"), why.getMessage());
            assertEquals(why, Clients.awaitFailure(subscribe));
        }
    }

    private static MqttException connectFailure(NettyTransport transport, ScriptedBroker broker, MqttOptions options)
            throws Exception {
        try (Engine engine = new Engine(transport)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> engine.connect(broker, options));
            return assertInstanceOf(MqttException.class, e.getCause());
        }
    }

    /** An engine of one loop for the test's one client, released at the end. */
    private static final class Engine implements AutoCloseable {

        private final NettyExecutionEngine engine;
        private MqttClient client;

        Engine(NettyTransport transport) {
            engine = NettyExecutionEngine.create(transport, 1);
            assertNotNull(engine, transport + " engine");
        }

        MqttClient connect(ScriptedBroker broker, MqttOptions options) throws Exception {
            return connect(broker, options, Clients.NO_MESSAGES);
        }

        MqttClient connect(ScriptedBroker broker, MqttOptions options, MessageListener listener) throws Exception {
            client = MqttClient.connect(engine, "127.0.0.1", broker.port(), options, listener).get(10, TimeUnit.SECONDS);
            return client;
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
            engine.decRef();
        }
    }

    /** A broker of one connection: reads the CONNECT, then runs its script; never reads again. */
    private static final class ScriptedBroker implements AutoCloseable {

        interface Script {
            void run(OutputStream out) throws Exception;
        }

        private final ServerSocket server;
        private final Thread thread;
        private volatile Socket connection;

        private ScriptedBroker(ServerSocket server, Script script) {
            this.server = server;
            this.thread = new Thread(() -> serve(script), "scripted-broker");
            thread.setDaemon(true);
        }

        static ScriptedBroker start(Script script) throws IOException {
            ScriptedBroker broker = new ScriptedBroker(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()), script);
            broker.thread.start();
            return broker;
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(Script script) {
            try (Socket socket = server.accept()) {
                connection = socket;
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.readUnsignedByte(); // CONNECT
                byte[] body = new byte[RemainingLength.read(ByteBuffer.wrap(in.readNBytes(1)))]; // short: 1 byte
                in.readFully(body);
                OutputStream out = socket.getOutputStream();
                script.run(out);
                out.flush();
                new CompletableFuture<Void>().get(); // holds the connection open until closed
            } catch (Exception ended) {
                // closed by the test
            }
        }

        @Override
        public void close() throws Exception {
            Socket open = connection;
            if (open != null) {
                open.close();
            }
            server.close();
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
