package dev.asyncsocket.examples.tls;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.logging.ByteBufFormat;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import javax.net.ssl.SSLSession;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * For the owner of a Netty pipeline: a TLS server and client in one process, each built on the caller's own
 * {@link ServerBootstrap} or {@link Bootstrap}, with a {@link LoggingHandler} and an {@link SslHandler} in
 * front and an {@link AsyncSocket} at the tail, plugged in with {@link NettySocketTransport#of}. The server's
 * certificate is made at start-up, signed by an authority made with it that only this client trusts.
 *
 * <p>The server plugs its socket in and opens it inside its {@code ChannelInitializer}, so that the socket is at
 * the tail before the channel reads. The client opens its socket as soon as it is connected and sends a few
 * messages of growing size (32 bytes, then 16 times the one before, up to 1 MiB), each as two buffers, the
 * first usually while the handshake is still under way (the {@code SslHandler} holds it until the handshake
 * is done); the server's socket echoes every byte.
 * The program prints a line per message and a summary: bytes each way, their CRC-32 at both ends, round-trip
 * times. It exits 0 when every byte came back intact, 1 when not, 2 when the transport is not available.
 * The logging handlers log every read and write at DEBUG ({@code java.util.logging} level FINE, under the
 * logger names {@code tls-demo.server} and {@code tls-demo.client}), which is off unless configured.
 *
 * <p>Usage: {@code TlsPipelineDemo [NIO|EPOLL|IO_URING] [messages]}; default: the best transport, 5 messages.
 */
public final class TlsPipelineDemo {

    private static final long TIMEOUT_SECONDS = 10;
    private static final String HOST = "localhost";
    private static final int MAX_MESSAGE = 1 << 20;

    private TlsPipelineDemo() {
    }

    public static void main(String[] arguments) {
        // Maven's demo profile passes -Dexample.args as one argument: split it.
        String[] args = String.join(" ", arguments).trim().split("\\s+");
        NettyTransport transport = !args[0].isEmpty() ? NettyTransport.valueOf(args[0].toUpperCase()) : NettyTransport.best();
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        if (!transport.isAvailable()) {
            System.err.println(transport + " is not available here");
            System.exit(2);
        }
        Summary summary;
        try {
            summary = run(transport, messages, System.out);
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        System.exit(summary.passed() ? 0 : 1);
    }

    /** What one run did; {@link #passed()} when every byte came back intact. */
    public record Summary(int messages, int echoed, Tally clientSent, Tally serverReceived, Tally serverSent,
                          Tally clientReceived, List<Double> roundTripMicros) {

        public boolean passed() {
            return echoed == messages && clientSent.matches(serverReceived) && serverReceived.matches(serverSent)
                    && serverSent.matches(clientReceived);
        }
    }

    /**
     * Runs the demo on {@code transport}, printing progress to {@code out}.
     *
     * @throws Exception if a step fails or takes longer than 10 seconds
     */
    public static Summary run(NettyTransport transport, int messages, PrintStream out) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        if (engine == null) {
            throw new IllegalArgumentException(transport + " is not available here");
        }
        List<Channel> channels = new ArrayList<>();
        List<AsyncSocket> sockets = new ArrayList<>();
        try {
            Contexts tls = Contexts.create();
            out.printf("transport %s, %d messages; certificate authority and server certificate for %s made%n",
                    transport, messages, HOST);

            // The server: the owner's pipeline, then a socket at its tail, plugged in and opened right in the
            // initializer, before the channel reads anything. It echoes what it receives.
            CompletableFuture<Echo> accepted = new CompletableFuture<>();
            Channel server = new ServerBootstrap()
                    .group(engine.eventLoopGroup())
                    .channel(serverChannel(transport))
                    .childHandler(ownersPipeline("server", child -> tls.server.newHandler(child.alloc()), child -> {
                        Echo echo = new Echo(newSocket(engine, sockets), child);
                        echo.open(NettySocketTransport.of(child));
                        accepted.complete(echo);
                    }))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync().channel();
            channels.add(server);
            out.println("server listening on " + server.localAddress());

            // The client: the owner's pipeline, and a socket opened as soon as the channel is connected.
            Channel client = new Bootstrap()
                    .group(engine.eventLoopGroup())
                    .channel(socketChannel(transport))
                    .handler(ownersPipeline("client", channel -> tls.client.newHandler(channel.alloc(), HOST, -1), channel -> { }))
                    .connect(server.localAddress())
                    .sync().channel();
            channels.add(client);
            CompletableFuture<String> handshake = describeHandshake(client, System.nanoTime());
            Echo echo = accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            channels.add(echo.channel);
            AsyncSocket clientSocket = newSocket(engine, sockets);
            Client exchange = new Client(clientSocket);
            exchange.open(NettySocketTransport.of(client));
            out.println("client connected from " + client.localAddress() + "; its socket is open, the TLS handshake under way");

            exchange.run(messages, handshake, out);
            out.println("client pipeline: " + client.pipeline().names());
            out.println("server pipeline: " + echo.channel.pipeline().names());
            // The client closes (its SslHandler sends close_notify); the server's socket sees the end of the
            // stream once its last echo's callback has run, so its tallies are complete.
            clientSocket.close();
            echo.ended.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            out.println("client closed; the server's socket saw the end of the stream: " + echo.ended.get());
            Summary summary = new Summary(messages, exchange.echoed, exchange.sent, echo.received, echo.sent,
                    exchange.received, exchange.roundTrips);
            print(summary, out);
            return summary;
        } finally {
            List<AsyncSocket> made;
            synchronized (sockets) {
                made = List.copyOf(sockets);
            }
            made.forEach(AsyncSocket::destroy);
            for (Channel channel : channels) {
                channel.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            engine.decRef();
        }
    }

    /**
     * The pipeline's owner sets up each end: a logging handler on the wire, then TLS, then whatever
     * {@code andThen} does (the server plugs its socket in there).
     */
    private static ChannelInitializer<Channel> ownersPipeline(String end, Function<Channel, SslHandler> tls,
                                                              Consumer<Channel> andThen) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline()
                        .addLast("wire", new LoggingHandler("tls-demo." + end, LogLevel.DEBUG, ByteBufFormat.SIMPLE))
                        .addLast("tls", tls.apply(channel));
                andThen.accept(channel);
            }
        };
    }

    /** A socket on the engine, remembered in {@code sockets} to be destroyed at the end. Any thread. */
    private static AsyncSocket newSocket(NettyExecutionEngine engine, List<AsyncSocket> sockets) {
        AsyncSocket socket = NettyAsyncSocket.create(engine);
        synchronized (sockets) {
            sockets.add(socket);
        }
        return socket;
    }

    /** Describes the client's handshake once it is done: protocol, cipher suite and how long it took. */
    private static CompletableFuture<String> describeHandshake(Channel client, long connectedAt) {
        CompletableFuture<String> described = new CompletableFuture<>();
        client.pipeline().get(SslHandler.class).handshakeFuture().addListener(done -> {
            long tookNanos = System.nanoTime() - connectedAt;
            if (done.isSuccess()) {
                SSLSession session = client.pipeline().get(SslHandler.class).engine().getSession();
                described.complete(String.format("%s, %s, %.1f ms after connecting", session.getProtocol(),
                        session.getCipherSuite(), tookNanos / 1e6));
            } else {
                described.completeExceptionally(done.cause());
            }
        });
        return described;
    }

    private static void print(Summary summary, PrintStream out) {
        double[] times = summary.roundTripMicros().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        out.printf("client -> server: sent %s, received %s%n", summary.clientSent(), summary.serverReceived());
        out.printf("server -> client: sent %s, received %s%n", summary.serverSent(), summary.clientReceived());
        if (times.length > 0) {
            out.printf("round trips: min %,.1f us, median %,.1f us, max %,.1f us%n",
                    times[0], times[times.length / 2], times[times.length - 1]);
        }
        out.println(summary.passed() ? "PASS: every byte came back intact" : "FAIL: the bytes differ");
    }

    private static Class<? extends SocketChannel> socketChannel(NettyTransport transport) {
        return switch (transport) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    private static Class<? extends ServerSocketChannel> serverChannel(NettyTransport transport) {
        return switch (transport) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** Bytes counted and checksummed as they pass. Thread-safe. */
    public static final class Tally {
        private final CRC32 crc = new CRC32();
        private long bytes;

        synchronized void add(ByteBuffer data) {
            bytes += data.remaining();
            crc.update(data.duplicate());
        }

        public synchronized long bytes() {
            return bytes;
        }

        public synchronized long crc() {
            return crc.getValue();
        }

        boolean matches(Tally other) {
            return bytes() == other.bytes() && crc() == other.crc();
        }

        @Override
        public String toString() {
            return String.format("%,d bytes (CRC-32 %08x)", bytes(), crc());
        }
    }

    /** The certificates, made at start-up, and a context for each end. */
    private record Contexts(SslContext server, SslContext client) {

        static Contexts create() throws Exception {
            X509Bundle authority = new CertificateBuilder()
                    .subject("CN=TlsPipelineDemo authority")
                    .setIsCertificateAuthority(true)
                    .ecp256()
                    .buildSelfSigned();
            X509Bundle certificate = new CertificateBuilder()
                    .subject("CN=" + HOST)
                    .addSanDnsName(HOST)
                    .addExtendedKeyUsageServerAuth()
                    .ecp256()
                    .buildIssuedBy(authority);
            return new Contexts(
                    SslContextBuilder.forServer(certificate.toKeyManagerFactory()).sslProvider(SslProvider.JDK).build(),
                    SslContextBuilder.forClient().trustManager(authority.toTrustManagerFactory())
                            .endpointIdentificationAlgorithm("HTTPS").sslProvider(SslProvider.JDK).build());
        }
    }

    /** Opens a socket and waits for its open callback. */
    private static void open(AsyncSocket socket, NettySocketTransport transport, CompletableFuture<OpenResult> opened) {
        if (socket.openAsync(transport, (context, result) -> opened.complete(result), null) != 0) {
            opened.completeExceptionally(new IllegalStateException("openAsync refused " + transport));
        }
    }

    /**
     * The server's socket: receives, sends back what came, receives again, each step from the last one's
     * callback, until a receive does not complete OK ({@link #ended}).
     */
    private static final class Echo {
        private final AsyncSocket socket;
        private final Channel channel;
        private final Tally received = new Tally();
        private final Tally sent = new Tally();
        private final CompletableFuture<ReceiveResult> ended = new CompletableFuture<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

        Echo(AsyncSocket socket, Channel channel) {
            this.socket = socket;
            this.channel = channel;
        }

        /** On the event loop, in the initializer: the open callback runs later, and the first receive from it. */
        void open(NettySocketTransport transport) {
            CompletableFuture<OpenResult> opened = new CompletableFuture<>();
            opened.thenAccept(result -> {
                if (result == OpenResult.OK) {
                    receive();
                }
            });
            TlsPipelineDemo.open(socket, transport, opened);
        }

        private void receive() {
            buffer.clear();
            socket.receiveAsync(new ByteBuffer[] {buffer}, (context, result, bytes) -> {
                if (result == ReceiveResult.OK) {
                    buffer.flip();
                    received.add(buffer);
                    socket.sendAsync(new ByteBuffer[] {buffer}, (c, outcome) -> echoed(outcome), null);
                } else {
                    ended.complete(result);
                }
            }, null);
        }

        private void echoed(SendResult outcome) {
            if (outcome == SendResult.OK) {
                sent.add(buffer);
                receive();
            } else {
                ended.completeExceptionally(new IllegalStateException("echo: " + outcome));
            }
        }
    }

    /** The client's socket: sends each message and waits for its echo, timing the round trip. */
    private static final class Client {
        private final AsyncSocket socket;
        private final Tally sent = new Tally();
        private final Tally received = new Tally();
        private final Random random = new Random(1);
        private final List<Double> roundTrips = new ArrayList<>();
        private int echoed;

        Client(AsyncSocket socket) {
            this.socket = socket;
        }

        void open(NettySocketTransport transport) throws Exception {
            CompletableFuture<OpenResult> opened = new CompletableFuture<>();
            TlsPipelineDemo.open(socket, transport, opened);
            OpenResult result = opened.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (result != OpenResult.OK) {
                throw new IllegalStateException("open: " + result);
            }
        }

        /** The first message may well go out before the handshake is done: the SslHandler holds it until then. */
        void run(int messages, CompletableFuture<String> handshake, PrintStream out) throws Exception {
            for (int i = 1; i <= messages; i++) {
                byte[] message = new byte[(int) Math.min(MAX_MESSAGE, 32L << Math.min(20, 4 * (i - 1)))];
                random.nextBytes(message);
                long start = System.nanoTime();
                boolean beforeHandshake = !handshake.isDone();
                CompletableFuture<SendResult> delivered = send(message);
                byte[] back = receive(message.length);
                SendResult result = delivered.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                double micros = (System.nanoTime() - start) / 1e3;
                roundTrips.add(micros);
                if (i == 1) {
                    out.println("handshake done: " + handshake.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                }
                boolean intact = result == SendResult.OK && Arrays.equals(message, back);
                echoed += intact ? 1 : 0;
                out.printf("message %d: %,9d bytes sent %s, echoed %s in %,10.1f us%s%n", i, message.length, result,
                        intact ? "intact" : "DIFFERENT", micros, beforeHandshake ? " (sent during the handshake)" : "");
            }
        }

        /** Sends a message as two buffers; the result arrives with the callback. */
        private CompletableFuture<SendResult> send(byte[] message) {
            int half = message.length / 2;
            ByteBuffer[] payload = {ByteBuffer.wrap(message, 0, half), ByteBuffer.wrap(message, half, message.length - half)};
            CompletableFuture<SendResult> delivered = new CompletableFuture<>();
            if (socket.sendAsync(payload, (context, result) -> {
                if (result == SendResult.OK) {
                    sent.add(ByteBuffer.wrap(message));
                }
                delivered.complete(result);
            }, null) != SendSyncResult.OK) {
                delivered.completeExceptionally(new IllegalStateException("sendAsync refused"));
            }
            return delivered;
        }

        /** Receives exactly {@code length} bytes, a receive at a time. */
        private byte[] receive(int length) throws Exception {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                CompletableFuture<ReceiveResult> done = new CompletableFuture<>();
                if (socket.receiveAsync(new ByteBuffer[] {buffer}, (context, result, bytes) -> done.complete(result), null) != 0) {
                    throw new IllegalStateException("receiveAsync refused");
                }
                ReceiveResult result = done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (result != ReceiveResult.OK) {
                    throw new IllegalStateException("receive: " + result + " after " + buffer.position() + " of " + length + " bytes");
                }
            }
            received.add(buffer.flip());
            return buffer.array();
        }
    }
}
