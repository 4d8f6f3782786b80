package dev.asyncsocket.netty;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.OwnChannels;
import dev.asyncsocket.netty.testing.StreamReceiver;
import dev.asyncsocket.netty.testing.Tls;
import dev.asyncsocket.netty.testing.WarningRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;

import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket at the tail of a pipeline its owner built, end to end on real loopback connections: the owner's
 * own {@code Bootstrap} and {@code ServerBootstrap} at both ends, {@link NettySocketTransport#of} on the
 * client's channel, and in front of the socket TLS (an {@link SslHandler} at both ends, the server's
 * certificate signed by an authority the client trusts), logging, flush consolidation or a length-prefixing
 * codec. The far end is plain Netty (an echo, a greeter, a frame recorder), so that what the socket sent and
 * received is checked by code that shares nothing with it.
 */
class TlsPipelineTest {

    private static final int MEBIBYTE = 1 << 20;
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int MAX_FRAME = 1 << 20;
    /** A logged throwable that is, or was caused by, a handshake failure: a line of its printed stack trace. */
    private static final Pattern LOGGED_HANDSHAKE_FAILURE =
            Pattern.compile("(?m)^(Caused by: )?" + Pattern.quote(SSLHandshakeException.class.getName()));

    private static Tls tls;

    private final CallbackRecorder recorder = new CallbackRecorder();

    @BeforeAll
    static void makeCertificates() throws Exception {
        tls = Tls.create();
    }

    private static OwnChannels ends(NettyTransport transport) {
        return OwnChannels.on(transport, transport.socketChannelType(), transport.serverChannelType());
    }

    private static Future<Channel> handshakeOf(Channel channel) {
        return channel.pipeline().get(SslHandler.class).handshakeFuture();
    }

    private static void awaitHandshake(Channel channel) {
        Future<Channel> handshake = handshakeOf(channel);
        assertTrue(handshake.awaitUninterruptibly(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "the handshake did not end");
        assertTrue(handshake.isSuccess(), () -> "the handshake failed: " + handshake.cause());
    }

    /** A TLS server that echoes; reading from the start or only once the test turns auto-read on. */
    private static EchoPeer listenWithTlsEcho(OwnChannels ends, boolean serverReads) {
        EchoPeer echo = new EchoPeer();
        ends.listen(child -> child.pipeline().addLast(tls.serverHandler(child), echo), serverReads);
        return echo;
    }

    // ---- TLS ----

    @EachTransport
    void aSocketOpenedBeforeTheHandshakeCompletesExchangesAMebibyteEachWayIntact(NettyTransport transport) throws Exception {
        try (OwnChannels ends = ends(transport)) {
            // The server reads nothing until the test lets it: the client's hello waits, and so does the handshake.
            EchoPeer echo = listenWithTlsEcho(ends, false);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(tls.clientHandler(channel)));
            Channel serverEnd = ends.accepted();

            AsyncSocket socket = ends.open(NettySocketTransport.of(client));
            assertFalse(handshakeOf(client).isDone(), "the handshake ended before the socket opened");
            Exchange exchange = Exchange.start(socket, Bytes.random(MEBIBYTE, 1), 64 * 1024);
            assertFalse(handshakeOf(client).isDone(), "the handshake ended before the sends and receives were issued");
            serverEnd.config().setAutoRead(true);

            exchange.finish(echo);
        }
    }

    @EachTransport
    void aSocketOpenedAfterTheHandshakeCompletedExchangesAMebibyteEachWayIntact(NettyTransport transport) throws Exception {
        try (OwnChannels ends = ends(transport)) {
            EchoPeer echo = listenWithTlsEcho(ends, true);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(tls.clientHandler(channel)));
            awaitHandshake(client);

            AsyncSocket socket = ends.open(NettySocketTransport.of(client));
            Exchange.start(socket, Bytes.random(MEBIBYTE, 2), 64 * 1024).finish(echo);
        }
    }

    /**
     * Guarantee 4: bytes that reach the end of the pipeline after {@code of(channel)} returned are kept for the
     * socket opened on that transport. Here {@code of} is called where the pipeline owner plugs in, in the
     * client's initializer behind its SslHandler; the server greets as soon as its handshake completes, and the
     * socket opens only once the whole greeting has gone through the client's TLS handler.
     */
    @EachTransport
    void aGreetingTheServerWritesRightAfterItsHandshakeReachesASocketOpenedAfterItArrived(NettyTransport transport)
            throws Exception {
        try (OwnChannels ends = ends(transport)) {
            byte[] greeting = Bytes.random(40_000, 3); // several TLS records
            Channel client = assertGreetingReachesASocketOpenedAfterItArrived(ends, greeting, tls::serverHandler, tls::clientHandler);
            assertTrue(handshakeOf(client).isSuccess());
        }
    }

    /**
     * The client does not trust the server's certificate. Sends and receives issued before the handshake ended
     * each complete once, ERROR or ABANDONED; close() returns; and the failure is logged once, at WARNING, with
     * the {@link SSLHandshakeException} as its cause (the server end swallows its side of the failure, so any
     * other warning is the socket's).
     */
    @EachTransport
    void aFailedHandshakeCompletesEveryOperationOnceAndLogsOneWarningWithTheHandshakeFailureAsCause(NettyTransport transport)
            throws Exception {
        try (OwnChannels ends = ends(transport); WarningRecorder warnings = WarningRecorder.start()) {
            listenWithTlsEcho(ends, false);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(tls.untrustingClientHandler(channel)));
            Channel serverEnd = ends.accepted();
            AsyncSocket socket = ends.open(NettySocketTransport.of(client));

            List<String> operations = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String send = "send " + i;
                ByteBuffer[] payload = {ByteBuffer.wrap(Bytes.random(1000, i))};
                assertEquals(SendSyncResult.OK, socket.sendAsync(payload, recorder, send));
                operations.add(send);
            }
            for (int i = 0; i < 2; i++) {
                String receive = "receive " + i;
                assertEquals(0, socket.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1000)}, recorder, receive));
                operations.add(receive);
            }
            assertFalse(handshakeOf(client).isDone(), "the handshake ended before the operations were issued");
            serverEnd.config().setAutoRead(true); // the handshake goes on, and the client refuses the server's certificate

            Future<Channel> handshake = handshakeOf(client);
            assertTrue(handshake.awaitUninterruptibly(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    "the handshake did not end");
            assertInstanceOf(SSLHandshakeException.class, handshake.cause());
            CompletableFuture.runAsync(socket::close).get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);

            Map<Object, List<Enum<?>>> resultsByOperation = recorder.all().stream().collect(Collectors.groupingBy(
                    CallbackRecorder.Callback::context, Collectors.mapping(CallbackRecorder.Callback::result, Collectors.toList())));
            assertEquals(Set.copyOf(operations), resultsByOperation.keySet(), "operations called back: " + resultsByOperation);
            Set<Enum<?>> failed = Set.of(SendResult.ERROR, SendResult.ABANDONED, ReceiveResult.ERROR, ReceiveResult.ABANDONED);
            resultsByOperation.forEach((operation, results) -> {
                assertEquals(1, results.size(), operation + " was called back " + results);
                assertTrue(failed.contains(results.get(0)), operation + " completed " + results.get(0));
            });
            List<String> logged = warnings.warnings();
            assertEquals(1, logged.size(), "warnings logged, expected exactly one:\n" + String.join("\n", logged));
            // WarningRecorder keeps each record formatted: its message, then the stack trace of its throwable.
            assertTrue(LOGGED_HANDSHAKE_FAILURE.matcher(logged.get(0)).find(),
                    "the warning does not carry the handshake failure as its throwable:\n" + logged.get(0));
        }
    }

    /**
     * The server ends the connection as Netty's {@code SslHandler} does on close: its last bytes, close_notify,
     * then the TCP close. On the client's channel (half-closure off, Netty's default) the socket delivers those
     * bytes, then ends the next receive ABANDONED for the peer's end of stream.
     */
    @EachTransport
    void aServerClosingWithCloseNotifyEndsReceivesAbandonedForEndOfStreamAfterItsLastBytes(NettyTransport transport)
            throws Exception {
        assertCloseNotifyEndsReceivesAfterTheLastBytes(transport, ServerEnding.CLOSE_NOTIFY_THEN_TCP_CLOSE);
    }

    /**
     * TLS 1.3 lets a peer end only its sending direction with close_notify, keeping the connection open to read
     * (as {@code SslHandler.closeOutbound()} does). No byte can come after it: a pending receive must end then,
     * as at a TCP FIN, not wait until the socket is closed.
     */
    @EachTransport
    void aCloseNotifyWithoutTheConnectionsCloseEndsAPendingReceiveAbandonedForEndOfStream(NettyTransport transport)
            throws Exception {
        assertCloseNotifyEndsReceivesAfterTheLastBytes(transport, ServerEnding.CLOSE_NOTIFY_ONLY);
    }

    /**
     * The close_notify arrives on the owner's channel after {@code of(channel)} and before the socket is opened:
     * it is kept with the bytes before it, which the socket delivers before it ends receives.
     */
    @EachTransport
    void aCloseNotifyThatCameBeforeTheOpenEndsReceivesAfterTheBytesThatCameWithIt(NettyTransport transport)
            throws Exception {
        assertCloseNotifyEndsReceivesAfterTheLastBytes(transport, ServerEnding.CLOSE_NOTIFY_BEFORE_THE_OPEN);
    }

    private enum ServerEnding { CLOSE_NOTIFY_THEN_TCP_CLOSE, CLOSE_NOTIFY_ONLY, CLOSE_NOTIFY_BEFORE_THE_OPEN }

    private void assertCloseNotifyEndsReceivesAfterTheLastBytes(NettyTransport transport, ServerEnding ending)
            throws Exception {
        try (OwnChannels ends = ends(transport)) {
            ends.listen(child -> child.pipeline().addLast(tls.serverHandler(child)), true);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(tls.clientHandler(channel)));
            Channel serverEnd = ends.accepted();
            awaitHandshake(client);
            NettySocketTransport plugged = NettySocketTransport.of(client);
            NettyAsyncSocket socket = ending == ServerEnding.CLOSE_NOTIFY_BEFORE_THE_OPEN ? null : ends.open(plugged);

            byte[] last = Bytes.random(5_000, 15);
            serverEnd.writeAndFlush(Unpooled.wrappedBuffer(last));
            if (ending == ServerEnding.CLOSE_NOTIFY_THEN_TCP_CLOSE) {
                serverEnd.close();
            } else {
                serverEnd.pipeline().get(SslHandler.class).closeOutbound();
            }
            if (socket == null) {
                assertTrue(client.pipeline().get(SslHandler.class).sslCloseFuture()
                        .await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS), "no close_notify came");
                socket = ends.open(plugged);
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            CallbackRecorder.Callback done;
            do {
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                assertEquals(0, socket.receiveAsync(new ByteBuffer[] {buffer}, recorder, null));
                done = recorder.next();
                received.write(buffer.array(), 0, buffer.position());
            } while (done.result() == ReceiveResult.OK);
            assertArrayEquals(last, received.toByteArray(), "the bytes before the close_notify");
            assertEquals(ReceiveResult.ABANDONED, done.result());
            assertEquals(FailureKind.END_OF_STREAM, socket.lastFailure().kind());
        }
    }

    // ---- of(channel) on the owner's channel, other handlers in front ----

    /** As the greeting after a handshake, without TLS: the peer writes the moment it is connected. */
    @EachTransport
    void bytesThePeerWritesOnConnectReachASocketOpenedLaterOnATransportMadeInTheInitializer(NettyTransport transport)
            throws Exception {
        try (OwnChannels ends = ends(transport)) {
            assertGreetingReachesASocketOpenedAfterItArrived(ends, Bytes.random(100_000, 4), null, null);
        }
    }

    /**
     * A channel that has lived a while with auto-read on, its owner's handler having consumed what came first
     * (a preamble): the bytes that arrive after {@code of(channel)} returned, all of which reach the end of the
     * pipeline before the socket opens, are the socket's, whole.
     */
    @EachTransport
    void aSocketOnALiveAutoReadingChannelThatAlreadyReadGetsEveryByteThatArrivedAfterOf(NettyTransport transport)
            throws Exception {
        try (OwnChannels ends = ends(transport)) {
            byte[] preamble = Bytes.random(3000, 5);
            byte[] stream = Bytes.random(100_000, 6);
            ends.listen(child -> child.pipeline().addLast(new Greeter(preamble)), true);
            PreambleReader owner = new PreambleReader(preamble.length);
            Arrivals arrivals = new Arrivals(stream.length);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(owner, arrivals));
            Channel serverEnd = ends.accepted();
            assertArrayEquals(preamble, owner.await(), "the channel's owner read the preamble");
            assertTrue(client.config().isAutoRead());

            NettySocketTransport plugged = NettySocketTransport.of(client);
            serverEnd.writeAndFlush(Unpooled.wrappedBuffer(stream));
            arrivals.await();

            AsyncSocket socket = ends.open(plugged);
            assertArrayEquals(stream, StreamReceiver.start(socket, stream.length, RECEIVE_BUFFER).await(),
                    "the socket received what arrived after of(channel)");
        }
    }

    @EachTransport
    void sendsThroughLoggingAndFlushConsolidationCompleteOnceEachInOrder(NettyTransport transport) throws Exception {
        try (OwnChannels ends = ends(transport)) {
            EchoPeer echo = new EchoPeer();
            ends.listen(child -> child.pipeline().addLast(echo), true);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(
                    new LoggingHandler(LogLevel.DEBUG),
                    new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true)));
            AsyncSocket socket = ends.open(NettySocketTransport.of(client));

            Exchange.start(socket, Bytes.random(200_000, 7), 997).finish(echo);
        }
    }

    /**
     * A length-prefixing codec in front: {@link LengthFieldPrepender} makes one frame of each send, whatever the
     * number of its buffers (the tail writes one {@code ByteBuf} per send); {@link LengthFieldBasedFrameDecoder}
     * with {@code initialBytesToStrip = 4} passes on each frame's payload. The tail receives bytes: the stream
     * a socket receives is the payloads one after another, and frame boundaries are not visible to receives (a
     * receive may end inside a frame or take in several), so an application that needs them frames its payloads
     * itself.
     */
    @EachTransport
    void aLengthPrefixingCodecMakesAFrameOfEachSendAndHandsOnlyPayloadBytesToReceives(NettyTransport transport)
            throws Exception {
        try (OwnChannels ends = ends(transport)) {
            FrameRecorder frames = new FrameRecorder();
            ends.listen(child -> child.pipeline().addLast(lengthPrefixing()).addLast(frames), true);
            Channel client = ends.connect(channel -> channel.pipeline().addLast(lengthPrefixing()));
            Channel serverEnd = ends.accepted();
            AsyncSocket socket = ends.open(NettySocketTransport.of(client));

            byte[][] sent = {Bytes.random(1, 8), Bytes.random(100, 9), Bytes.random(70_000, 10), Bytes.random(5, 11)};
            for (int i = 0; i < sent.length; i++) {
                byte[] payload = sent[i];
                int half = payload.length / 2;
                ByteBuffer[] buffers = half == 0 ? new ByteBuffer[] {ByteBuffer.wrap(payload)}
                        : new ByteBuffer[] {ByteBuffer.wrap(payload, 0, half), ByteBuffer.wrap(payload, half, payload.length - half)};
                assertEquals(SendSyncResult.OK, socket.sendAsync(buffers, recorder, i));
            }
            for (int i = 0; i < sent.length; i++) {
                CallbackRecorder.Callback done = recorder.next();
                assertEquals(SendResult.OK, done.result());
                assertEquals(i, done.context(), "send callbacks out of order");
                assertArrayEquals(sent[i], frames.next(), "frame " + i + " is send " + i + "'s bytes");
            }

            byte[][] replies = {Bytes.random(20_000, 12), Bytes.random(3, 13), Bytes.random(9_000, 14)};
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (byte[] reply : replies) {
                serverEnd.write(Unpooled.wrappedBuffer(reply));
                stream.write(reply);
            }
            serverEnd.flush();
            assertArrayEquals(stream.toByteArray(), StreamReceiver.start(socket, stream.size(), 4096).await(),
                    "the socket received the replies' payloads, one after another, without their length prefixes");
        }
    }

    private static ChannelHandler[] lengthPrefixing() {
        return new ChannelHandler[] {new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4), new LengthFieldPrepender(4)};
    }

    // ---- shared steps ----

    /**
     * The server greets behind {@code serverFront}; the client calls {@code of} in its initializer, behind
     * {@code clientFront} and an {@link Arrivals} counter, and a socket opened only
     * once the whole greeting went past that counter must receive it whole.
     *
     * @param serverFront makes the handler in front of the server's greeter, or {@code null} for none
     * @param clientFront likewise for the client
     * @return the client's channel
     */
    private static Channel assertGreetingReachesASocketOpenedAfterItArrived(OwnChannels ends, byte[] greeting,
            Function<Channel, ChannelHandler> serverFront, Function<Channel, ChannelHandler> clientFront) throws Exception {
        ends.listen(child -> addFront(child, serverFront).addLast(new Greeter(greeting)), true);
        Arrivals arrivals = new Arrivals(greeting.length);
        CompletableFuture<NettySocketTransport> plugged = new CompletableFuture<>();
        Channel client = ends.connect(channel -> {
            addFront(channel, clientFront).addLast(arrivals);
            plugged.complete(NettySocketTransport.of(channel));
        });
        arrivals.await();

        AsyncSocket socket = ends.open(plugged.getNow(null));
        assertArrayEquals(greeting, StreamReceiver.start(socket, greeting.length, RECEIVE_BUFFER).await(),
                "the socket received the greeting whole");
        return client;
    }

    private static ChannelPipeline addFront(Channel channel, Function<Channel, ChannelHandler> front) {
        return front == null ? channel.pipeline() : channel.pipeline().addLast(front.apply(channel));
    }

    /**
     * Sends {@code data} in sends of {@code chunk} bytes, each with its index as context, while receiving what
     * comes back; {@link #finish} checks that every send completed OK in order and that the far end and the
     * socket each got {@code data} intact, then closes the socket.
     */
    private static final class Exchange {
        private final AsyncSocket socket;
        private final byte[] data;
        private final int sends;
        private final CallbackRecorder sent = new CallbackRecorder();
        private final StreamReceiver echoed;

        private Exchange(AsyncSocket socket, byte[] data, int chunk) {
            this.socket = socket;
            this.data = data;
            this.echoed = StreamReceiver.start(socket, data.length, RECEIVE_BUFFER);
            int count = 0;
            for (int offset = 0; offset < data.length; offset += chunk, count++) {
                ByteBuffer part = ByteBuffer.wrap(data, offset, Math.min(chunk, data.length - offset));
                assertEquals(SendSyncResult.OK, socket.sendAsync(new ByteBuffer[] {part}, sent, count));
            }
            this.sends = count;
        }

        static Exchange start(AsyncSocket socket, byte[] data, int chunk) {
            return new Exchange(socket, data, chunk);
        }

        void finish(EchoPeer echo) throws InterruptedException {
            for (int i = 0; i < sends; i++) {
                CallbackRecorder.Callback done = sent.next();
                assertEquals(SendResult.OK, done.result(), "send " + done.context());
                assertEquals(i, done.context(), "send callbacks out of order");
            }
            byte[] back = echoed.await();
            assertEquals(data.length, echo.bytes(), "bytes the far end received");
            assertEquals(Bytes.crc(data), echo.crc(), "checksum of what the far end received");
            assertEquals(Bytes.crc(data), Bytes.crc(back), "checksum of what came back");
            socket.close(); // returns once every callback has run: none may come twice
            assertEquals(sends, sent.count(), "send callbacks");
        }
    }

    // ---- the far end, and handlers of the pipeline's owner ----

    /** Echoes every byte, counting and checksumming what it received; swallows failures (they are the client's to report). */
    private static final class EchoPeer extends ChannelInboundHandlerAdapter {
        private final CRC32 crc = new CRC32();
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            synchronized (this) {
                crc.update(ByteBufUtil.getBytes(data));
                bytes += data.readableBytes();
            }
            ctx.write(data);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        synchronized long crc() {
            return crc.getValue();
        }

        synchronized long bytes() {
            return bytes;
        }
    }

    /** Writes its greeting as soon as the channel can carry it: once active, or with TLS once the handshake succeeded. */
    private static final class Greeter extends ChannelInboundHandlerAdapter {
        private final byte[] greeting;

        Greeter(byte[] greeting) {
            this.greeting = greeting;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ctx.pipeline().get(SslHandler.class) == null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(greeting));
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(greeting));
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Passes every message on unchanged, counting its bytes once they have gone on toward the end of the
     * pipeline: tells the test that bytes arrived, and had gone past everything in front of the socket.
     */
    private static final class Arrivals extends ChannelInboundHandlerAdapter {
        private final int expected;
        private final CountDownLatch all = new CountDownLatch(1);
        private volatile int arrived;

        Arrivals(int expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            int bytes = ((ByteBuf) msg).readableBytes();
            ctx.fireChannelRead(msg);
            arrived += bytes;
            if (arrived >= expected) {
                all.countDown();
            }
        }

        void await() throws InterruptedException {
            assertTrue(all.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    () -> "only " + arrived + " of " + expected + " bytes arrived");
        }
    }

    /** The pipeline owner's own protocol step: consumes the first {@code length} bytes, and passes on what follows. */
    private static final class PreambleReader extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream preamble = new ByteArrayOutputStream();
        private final int length;
        private final CompletableFuture<byte[]> read = new CompletableFuture<>();

        PreambleReader(int length) {
            this.length = length;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            int take = Math.min(length - preamble.size(), data.readableBytes());
            byte[] taken = new byte[take];
            data.readBytes(taken);
            preamble.writeBytes(taken);
            if (take > 0 && preamble.size() == length) {
                read.complete(preamble.toByteArray());
            }
            if (data.isReadable()) {
                ctx.fireChannelRead(data);
            } else {
                data.release();
            }
        }

        byte[] await() throws Exception {
            return read.get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Records the payload of each frame the server decodes, in order. */
    private static final class FrameRecorder extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                frames.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }

        byte[] next() throws InterruptedException {
            byte[] frame = frames.poll(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(frame, "no frame within " + CallbackRecorder.TIMEOUT_SECONDS + " s");
            return frame;
        }
    }
}
