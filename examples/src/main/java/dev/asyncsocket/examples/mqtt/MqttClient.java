package dev.asyncsocket.examples.mqtt;

import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.examples.mqtt.PendingOperations.Publish;
import dev.asyncsocket.examples.mqtt.PendingOperations.Subscribe;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.SocketFailure;
import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An MQTT 3.1.1 client on an {@link NettyAsyncSocket}: CONNECT, SUBSCRIBE, PUBLISH at QoS 0 and 1, PINGREQ
 * keep-alive and DISCONNECT. One receive at a time feeds an {@link MqttDecoder}; every packet goes out as one
 * send, a PUBLISH with a large payload as its header and the caller's payload buffer, gathered, not copied.
 *
 * <p>Every operation's future completes exactly once. A QoS 1 publish completes on its PUBACK, a subscribe on its
 * SUBACK, a QoS 0 publish once written to the socket. When the connection ends (the broker goes, a protocol error,
 * a missed PINGRESP, {@link #close()}), everything still pending fails with one {@link MqttException} that says why,
 * the socket's {@link SocketFailure} as its cause where there is one, and {@link #closed()} completes with it.
 * Memory is bounded: at most {@link MqttOptions#maxInFlight()} operations are under way (beyond that one fails at
 * once), a packet from the broker larger than {@link MqttOptions#maxPacketSize()} ends the connection, and the client
 * reads only while fewer than 1,024 of its PUBACKs wait to be written (a broker that does not read waits too).
 *
 * <p>Thread-safe: publish, subscribe, disconnect and close from any thread. The futures complete, and the
 * {@link MessageListener} runs, on the socket's event loop: do not block in them. The state, the pending
 * operations and the in-flight count are guarded by the client's lock; nothing is sent or completed under it.
 */
public final class MqttClient implements AutoCloseable {

    private enum State { CONNECTING, CONNECTED, DISCONNECTING, CLOSED }

    private static final int RECEIVE_BUFFER = 64 * 1024;
    /**
     * Payloads up to this size are copied into the PUBLISH's one buffer; larger ones go out as the caller's buffer
     * after the header, gathered, not copied. Copying a few hundred bytes costs less than the composite buffer that a
     * send of two buffers makes (a JFR profile of the benchmark's 64-byte publishes showed it on top).
     */
    private static final int COPIED_PAYLOAD = 512;
    /** PUBACKs not yet written beyond which the client stops reading: a broker that does not read waits, through TCP. */
    private static final int MAX_UNWRITTEN_PUBACKS = 1_024;

    private final NettyAsyncSocket socket;
    private final EventLoop loop;
    private final MqttOptions options;
    private final MessageListener listener;
    private final InboundPackets inbound = new Inbound();
    private final OnSendComplete<Publish> qos0Written = this::qos0Written;
    private final CompletableFuture<MqttClient> connected;
    private final CompletableFuture<MqttException> closed = new CompletableFuture<>();

    // Guarded by this.
    private State state = State.CONNECTING;
    private final PendingOperations pending;
    private int unwrittenQos0;
    private MqttException closeCause;
    /** The CONNACK time-out, then the keep-alive. */
    private ScheduledFuture<?> timer;

    // The event loop's only.
    private final MqttDecoder decoder;
    private final ByteBuffer[] receiveBuffers = new ByteBuffer[1]; // the socket copies the array: reused
    private boolean pingOutstanding;
    private int unwrittenPubacks;
    private boolean receivePaused;
    private volatile long pingsSent;
    private volatile long pingResponses;

    private MqttClient(NettyAsyncSocket socket, EventLoop loop, MqttOptions options, MessageListener listener,
                       CompletableFuture<MqttClient> connected) {
        this.connected = connected;
        this.socket = socket;
        this.loop = loop;
        this.options = options;
        this.listener = listener;
        this.pending = new PendingOperations(options.maxInFlight());
        this.decoder = new MqttDecoder(RECEIVE_BUFFER, options.maxPacketSize());
    }

    /**
     * Connects to the broker at {@code host:port} without blocking: TCP connect, socket open, CONNECT, CONNACK.
     *
     * @return completes with the connected client; or fails with an {@link MqttException}: the TCP connect failed
     *         (its cause), the broker refused the connection (its return code), no CONNACK came in time, or the
     *         connection ended first
     */
    public static CompletableFuture<MqttClient> connect(NettyExecutionEngine engine, String host, int port,
                                                        MqttOptions options, MessageListener listener) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<MqttClient> connected = new CompletableFuture<>();
        NettySocketTransport.connectAsync(engine, host, port, options.connectTimeoutMillis())
                .whenComplete((transport, failure) -> {
                    if (failure != null) {
                        connected.completeExceptionally(
                                new MqttException("TCP connect to " + host + ":" + port + " failed", unwrap(failure)));
                    } else {
                        open(engine, transport, options, listener, connected);
                    }
                });
        return connected;
    }

    private static void open(NettyExecutionEngine engine, NettySocketTransport transport, MqttOptions options,
                             MessageListener listener, CompletableFuture<MqttClient> connected) {
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        if (socket == null) {
            transport.channel().close();
            connected.completeExceptionally(new MqttException("no socket could be made on " + engine));
            return;
        }
        MqttClient client = new MqttClient(socket, transport.channel().eventLoop(), options, listener, connected);
        if (socket.openAsync(transport, MqttClient::opened, client) != 0) {
            transport.channel().close(); // a refused open leaves the transport with its caller
            socket.destroy();
            connected.completeExceptionally(new MqttException("the socket refused to open on " + transport));
        }
    }

    /**
     * Publishes {@code payload}'s bytes (position to limit; both left alone) to {@code topic}. A payload over 512 bytes
     * is sent from the buffer itself, not copied: keep its bytes unchanged until the future completes.
     *
     * @param qos 0 (at most once) or 1 (at least once)
     * @return at QoS 0 completes once written to the socket, at QoS 1 once the broker acknowledged it (PUBACK); fails
     *         with an {@link MqttException} if the client is not connected, {@link MqttOptions#maxInFlight()}
     *         operations are under way already, or the connection ends first
     * @throws IllegalArgumentException for a QoS other than 0 and 1, an empty topic or one with wildcards, or a
     *                                  payload too large for one packet
     */
    public CompletableFuture<Void> publish(String topic, ByteBuffer payload, int qos) {
        byte[] name = Packets.utf8(topic);
        if (name.length == 0 || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new IllegalArgumentException("a topic to publish to is not empty and has no wildcards: '" + topic + "'");
        }
        checkQos(qos);
        int size = payload.remaining();
        if (size > Packets.maxPayload(name, qos)) {
            throw new IllegalArgumentException("a payload of " + size + " bytes does not fit in one packet");
        }
        Publish publish = new Publish();
        int packetId = 0;
        synchronized (this) {
            MqttException refusal = refusal();
            if (refusal != null) {
                publish.completeExceptionally(refusal);
                return publish;
            }
            if (qos == 0) {
                unwrittenQos0++;
            } else {
                packetId = pending.add(publish);
            }
        }
        ByteBuffer[] packet = size <= COPIED_PAYLOAD
                ? new ByteBuffer[] {Packets.publish(name, qos, packetId, payload)}
                : new ByteBuffer[] {Packets.publishHeader(name, qos, packetId, size), payload};
        if (qos == 0) {
            if (socket.sendAsync(packet, qos0Written, publish) != SendSyncResult.OK) {
                qos0Written(publish, SendResult.ABANDONED);
            }
        } else if (socket.sendAsync(packet, MqttClient::written, this) != SendSyncResult.OK) {
            closeWith(refused("the socket refused a PUBLISH")); // fails this publish with the others pending
        }
        return publish;
    }

    /**
     * Subscribes to {@code topicFilter} (wildcards allowed).
     *
     * @return completes with the QoS the broker granted; fails with an {@link MqttException} if the broker refused
     *         the subscription, the client is not connected, too many operations are under way, or the connection
     *         ends first
     */
    public CompletableFuture<Integer> subscribe(String topicFilter, int qos) {
        if (Packets.utf8(topicFilter).length == 0) {
            throw new IllegalArgumentException("an empty topic filter");
        }
        checkQos(qos);
        Subscribe subscribe = new Subscribe();
        int packetId;
        synchronized (this) {
            MqttException refusal = refusal();
            if (refusal != null) {
                subscribe.completeExceptionally(refusal);
                return subscribe;
            }
            packetId = pending.add(subscribe);
        }
        send(Packets.subscribe(packetId, topicFilter, qos));
        return subscribe;
    }

    /**
     * Sends DISCONNECT and closes once it is written. New operations are refused from now on; those still pending
     * when it is written fail ("disconnected"): to lose nothing, wait for your publishes' futures first.
     *
     * @return {@link #closed()}
     */
    public CompletableFuture<MqttException> disconnect() {
        synchronized (this) {
            if (state != State.CONNECTED) {
                close();
                return closed;
            }
            state = State.DISCONNECTING;
        }
        if (socket.sendAsync(new ByteBuffer[] {Packets.disconnect()}, MqttClient::disconnectWritten, this) != SendSyncResult.OK) {
            closeWith(refused("the socket refused the DISCONNECT"));
        }
        return closed;
    }

    /**
     * Closes the connection without DISCONNECT (the broker then publishes the will, if any). Everything pending
     * fails with "closed by the client". Idempotent; any thread, callbacks included.
     */
    @Override
    public void close() {
        closeWith(new MqttException("closed by the client"));
    }

    /** Completes, never exceptionally, with why the client closed, once it has: every pending operation failed by then. */
    public CompletableFuture<MqttException> closed() {
        return closed;
    }

    /** Whether CONNACK accepted the connection and it has not ended or begun to disconnect. */
    public synchronized boolean isConnected() {
        return state == State.CONNECTED;
    }

    /** PINGREQs sent so far. */
    public long pingsSent() {
        return pingsSent;
    }

    /** PINGRESPs received so far. */
    public long pingResponses() {
        return pingResponses;
    }

    private static void opened(MqttClient client, OpenResult result) {
        if (result != OpenResult.OK) {
            client.closeWith(client.lost("the socket did not open"));
            return;
        }
        synchronized (client) {
            if (client.state == State.CONNECTING) {
                client.timer = client.loop.schedule(client::connackTimedOut, client.options.connectTimeoutMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        client.receiveNext();
        MqttOptions options = client.options;
        client.send(Packets.connect(options.clientId(), options.keepAliveSeconds(), options.cleanSession()));
    }

    private void receiveNext() {
        receiveBuffers[0] = decoder.room();
        if (socket.receiveAsync(receiveBuffers, MqttClient::received, this) != 0) {
            closeWith(refused("the socket refused a receive"));
        }
    }

    private static void received(MqttClient client, ReceiveResult result, int bytes) {
        if (result != ReceiveResult.OK) {
            client.closeWith(client.lost("the connection ended"));
            return;
        }
        try {
            client.decoder.decode(client.inbound);
        } catch (MqttException e) {
            client.closeWith(e);
            return;
        }
        if (client.unwrittenPubacks >= MAX_UNWRITTEN_PUBACKS) {
            client.receivePaused = true; // resumed once the PUBACKs are written
        } else {
            client.receiveNext();
        }
    }

    private void send(ByteBuffer packet) {
        if (socket.sendAsync(new ByteBuffer[] {packet}, MqttClient::written, this) != SendSyncResult.OK) {
            closeWith(refused("the socket refused a send"));
        }
    }

    private static void pubackWritten(MqttClient client, SendResult result) {
        client.unwrittenPubacks--;
        if (result != SendResult.OK) {
            client.closeWith(client.lost("a PUBACK was not written"));
        } else if (client.receivePaused && client.unwrittenPubacks < MAX_UNWRITTEN_PUBACKS / 2) {
            client.receivePaused = false;
            client.receiveNext();
        }
    }

    private static void written(MqttClient client, SendResult result) {
        if (result != SendResult.OK) {
            client.closeWith(client.lost("a packet was not written"));
        }
    }

    private void qos0Written(Publish publish, SendResult result) {
        synchronized (this) {
            unwrittenQos0--;
        }
        if (result == SendResult.OK) {
            publish.complete(null);
        } else {
            MqttException cause = lost("the PUBLISH was not written");
            publish.completeExceptionally(cause);
            closeWith(cause);
        }
    }

    private static void disconnectWritten(MqttClient client, SendResult result) {
        client.closeWith(result == SendResult.OK ? new MqttException("disconnected by the client")
                : client.lost("the DISCONNECT was not written"));
    }

    private void connackTimedOut() {
        closeWith(new MqttException("no CONNACK within " + options.connectTimeoutMillis() + " ms", new TimeoutException()));
    }

    private void keepAlive() {
        if (pingOutstanding) {
            closeWith(new MqttException("no PINGRESP within the keep-alive of " + options.keepAliveSeconds() + " s",
                    new TimeoutException()));
            return;
        }
        pingOutstanding = true;
        pingsSent++;
        send(Packets.pingreq());
    }

    /** Why a new operation cannot start now, or {@code null} if it can. Under the lock. */
    private MqttException refusal() {
        return switch (state) {
            case CONNECTING -> new MqttException("not connected yet");
            case DISCONNECTING -> new MqttException("disconnecting");
            case CLOSED -> new MqttException("the client is closed", closeCause);
            case CONNECTED -> pending.size() + unwrittenQos0 >= options.maxInFlight()
                    ? new MqttException(options.maxInFlight() + " operations are in flight already: wait for one to complete")
                    : null;
        };
    }

    /** The connection's end, as the socket explains it inside the callback that reported it. */
    private MqttException lost(String what) {
        return because(what, socket.lastFailure());
    }

    /** A refused call, as the socket explains it (a refusal leaves {@code lastFailure()} as it was). */
    private MqttException refused(String what) {
        return because(what, socket.whyRefused());
    }

    private static MqttException because(String what, SocketFailure failure) {
        return failure == null ? new MqttException(what)
                : new MqttException(what + " (" + failure.kind() + ")", failure.cause());
    }

    /**
     * Ends the client, once: the state turns CLOSED, the socket closes, and every pending operation fails with
     * {@code cause}. Later calls do nothing.
     */
    private void closeWith(MqttException cause) {
        State was;
        List<java.util.concurrent.CompletableFuture<?>> abandoned;
        ScheduledFuture<?> stopped;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            was = state;
            state = State.CLOSED;
            closeCause = cause;
            abandoned = pending.removeAll();
            stopped = timer;
            timer = null;
        }
        if (stopped != null) {
            stopped.cancel(false);
        }
        socket.close(); // on the event loop it returns at once; elsewhere once every socket callback has returned
        socket.destroy();
        if (was == State.CONNECTING) {
            connected.completeExceptionally(cause);
        }
        for (CompletableFuture<?> operation : abandoned) {
            operation.completeExceptionally(cause);
        }
        closed.complete(cause);
    }

    private static void checkQos(int qos) {
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException("QoS " + qos + ": this client speaks QoS 0 and 1");
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** The broker's packets, on the event loop. */
    private final class Inbound implements InboundPackets {

        @Override
        public void connack(boolean sessionPresent, int returnCode) throws MqttException {
            synchronized (MqttClient.this) {
                if (state == State.CLOSED) {
                    return;
                }
                if (state != State.CONNECTING) {
                    throw new MqttProtocolException("a second CONNACK");
                }
                if (returnCode == 0) {
                    state = State.CONNECTED;
                    timer.cancel(false);
                    int keepAlive = options.keepAliveSeconds();
                    timer = keepAlive == 0 ? null
                            : loop.scheduleAtFixedRate(MqttClient.this::keepAlive, keepAlive, keepAlive, TimeUnit.SECONDS);
                }
            }
            if (returnCode != 0) {
                closeWith(new MqttException("the broker refused the connection: " + refusedBecause(returnCode)));
                return;
            }
            connected.complete(MqttClient.this);
        }

        @Override
        public void publish(String topic, int qos, boolean retain, int packetId, ByteBuffer payload) throws MqttException {
            try {
                listener.onMessage(topic, payload, qos);
            } catch (Exception e) {
                throw new MqttException("the message listener threw on a message of '" + topic + "'", e);
            }
            if (qos == 1) {
                unwrittenPubacks++;
                if (socket.sendAsync(new ByteBuffer[] {Packets.puback(packetId)}, MqttClient::pubackWritten, MqttClient.this)
                        != SendSyncResult.OK) {
                    unwrittenPubacks--;
                    closeWith(refused("the socket refused a PUBACK"));
                }
            }
        }

        @Override
        public void puback(int packetId) throws MqttException {
            Publish publish;
            synchronized (MqttClient.this) {
                publish = pending.remove(packetId, Publish.class);
            }
            if (publish == null) {
                throw new MqttProtocolException("PUBACK for packet " + packetId + ", which no publish awaits");
            }
            publish.complete(null);
        }

        @Override
        public void suback(int packetId, int returnCode) throws MqttException {
            Subscribe subscribe;
            synchronized (MqttClient.this) {
                subscribe = pending.remove(packetId, Subscribe.class);
            }
            if (subscribe == null) {
                throw new MqttProtocolException("SUBACK for packet " + packetId + ", which no subscribe awaits");
            }
            if (returnCode == 0x80) {
                subscribe.completeExceptionally(new MqttException("the broker refused the subscription"));
            } else {
                subscribe.complete(returnCode);
            }
        }

        @Override
        public void pingresp() {
            pingOutstanding = false;
            pingResponses++;
        }
    }

    private static String refusedBecause(int returnCode) {
        return switch (returnCode) {
            case 1 -> "unacceptable protocol version (1)";
            case 2 -> "identifier rejected (2)";
            case 3 -> "server unavailable (3)";
            case 4 -> "bad user name or password (4)";
            case 5 -> "not authorized (5)";
            default -> "return code " + returnCode;
        };
    }
}
