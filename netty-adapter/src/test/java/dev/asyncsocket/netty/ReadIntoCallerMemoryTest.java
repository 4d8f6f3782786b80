package dev.asyncsocket.netty;

import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.Bytes;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.CountingAllocator;
import dev.asyncsocket.netty.testing.WarningRecorder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The transport reads straight into a receive's direct buffer only where a read completes on the stack that
 * lent the buffer (NIO, epoll); where the kernel completes reads later (io_uring), a receive abandoned by a
 * close could still be written into, so there bytes are copied. Decided by the transport's event loop, so
 * that it holds for every channel class a caller can open a socket on, Unix-domain ones included.
 */
class ReadIntoCallerMemoryTest {

    private static final long TIMEOUT_SECONDS = CallbackRecorder.TIMEOUT_SECONDS;
    private static final int MEBIBYTE = 1 << 20;
    private static final int RACE_ROUNDS = 200;
    private static final int RACE_BUFFER = 64 * 1024;
    /** What the caller's buffer holds before a receive; the peer never sends it. */
    private static final byte SENTINEL = (byte) 0xA5;
    private static final byte PEER_BYTE = 0x01;

    private final CallbackRecorder recorder = new CallbackRecorder();

    static Stream<Arguments> channelsOfEachTransport() {
        return Stream.of(
                channel(NettyTransport.NIO, "NioSocketChannel", NioSocketChannel::new, true),
                channel(NettyTransport.NIO, "NioDomainSocketChannel", NioDomainSocketChannel::new, true),
                channel(NettyTransport.EPOLL, "EpollSocketChannel", EpollSocketChannel::new, true),
                channel(NettyTransport.EPOLL, "EpollDomainSocketChannel", EpollDomainSocketChannel::new, true),
                channel(NettyTransport.IO_URING, "IoUringSocketChannel", IoUringSocketChannel::new, false),
                channel(NettyTransport.IO_URING, "IoUringDomainSocketChannel", IoUringDomainSocketChannel::new, false));
    }

    private static Arguments channel(NettyTransport transport, String name, Supplier<Channel> newChannel,
                                     boolean inPlace) {
        return arguments(transport, named(name, newChannel), inPlace);
    }

    @ParameterizedTest(name = "{1} on {0}: {2}")
    @MethodSource("channelsOfEachTransport")
    void readsGoIntoCallerMemoryExactlyWhereTheTransportsReadsCompleteInPlace(NettyTransport transport,
            Supplier<Channel> newChannel, boolean inPlace) {
        assumeTrue(transport.isAvailable(), transport + " does not load here");
        assertEquals(inPlace, transport.readsCompleteInPlace());
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        assertNotNull(engine);
        try {
            assertEquals(inPlace, decisionOnALoopOf(engine.eventLoopGroup(), newChannel.get()));
        } finally {
            engine.decRef();
        }
    }

    @Test
    void channelsThatNoKnownTransportReadsForAreNeverLentCallerMemory() {
        EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            assertFalse(decisionOnALoopOf(local, new LocalChannel()), "a LocalChannel");
            EmbeddedChannel embedded = new EmbeddedChannel();
            assertFalse(NettyTransport.mayReadIntoPostedBuffer(embedded), "an EmbeddedChannel");
            embedded.finishAndReleaseAll();
            NioSocketChannel unregistered = new NioSocketChannel();
            assertFalse(NettyTransport.mayReadIntoPostedBuffer(unregistered), "a channel on no loop yet");
            unregistered.unsafe().closeForcibly();
        } finally {
            local.shutdownGracefully(0, TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Registers {@code channel} on one of {@code group}'s loops and asks whether reads may go into caller memory. */
    private static boolean decisionOnALoopOf(EventLoopGroup group, Channel channel) {
        ChannelFuture registered = group.register(channel);
        try {
            assertTrue(registered.awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS), "registration timed out");
            assertTrue(registered.isSuccess(), () -> "registration failed: " + registered.cause());
            return NettyTransport.mayReadIntoPostedBuffer(channel);
        } finally {
            channel.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(NettyTransport.class)
    void directBuffersCarryAMebibyteEachWayOverAUnixDomainSocket(NettyTransport transport, @TempDir Path dir) throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (DomainSockets sockets = new DomainSockets(transport, dir);
             DomainLink link = sockets.open(allocator)) {
            byte[] inbound = Bytes.random(MEBIBYTE, 11);
            FutureTask<Void> peerWrites = inThread(() -> {
                link.peer().write(ByteBuffer.wrap(inbound));
                return null;
            });
            ByteArrayOutputStream received = new ByteArrayOutputStream(MEBIBYTE);
            for (int i = 0; received.size() < MEBIBYTE; i++) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(1 + (i * 104_729) % 70_000);
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_079
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_082
                assertEquals(0, link.socket().receiveAsync(new ByteBuffer[] {buffer}, recorder, null));
                CallbackRecorder.Callback done = recorder.next();
                assertEquals(ReceiveResult.OK, done.result());
                assertEquals(buffer.position(), done.bytes());
                received.writeBytes(Bytes.written(buffer));
            }
            peerWrites.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(Bytes.crc(inbound), Bytes.crc(received.toByteArray()));
            if (transport == NettyTransport.IO_URING) {
                assertTrue(allocator.allocated() > 0, "io_uring reads into buffers of its own, then copies");
            } else {
                assertEquals(0, allocator.allocated(), "the transport read straight into the posted buffers");
            }

            byte[] outbound = Bytes.random(MEBIBYTE, 12);
            FutureTask<byte[]> peerReads = inThread(() -> readFully(link.peer(), MEBIBYTE));
            int chunk = 64 * 1024;
            for (int offset = 0; offset < MEBIBYTE; offset += chunk) {
                ByteBuffer part = Bytes.direct(Arrays.copyOfRange(outbound, offset, offset + chunk));
                assertEquals(SendSyncResult.OK, link.socket().sendAsync(new ByteBuffer[] {part}, recorder, null));
            }
            for (CallbackRecorder.Callback sent : recorder.next(MEBIBYTE / chunk)) {
                assertEquals(SendResult.OK, sent.result());
            }
            assertEquals(Bytes.crc(outbound), Bytes.crc(peerReads.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(NettyTransport.class)
    void aReceiveAbandonedByACloseIsNeverWrittenIntoAfterItsCallback(NettyTransport transport, @TempDir Path dir)
            throws Exception {
        int abandoned = 0;
        try (DomainSockets sockets = new DomainSockets(transport, dir);
             WarningRecorder warnings = WarningRecorder.start()) {
            for (int round = 0; round < RACE_ROUNDS; round++) {
                if (closeUnderAPendingReceive(sockets) == ReceiveResult.ABANDONED) {
                    abandoned++;
                }
                assertEquals(List.of(), warnings.warnings(), "round " + round);
            }
        }
        System.out.printf("%s: %d of %d receives abandoned by the close%n", transport, abandoned, RACE_ROUNDS);
    }

    @Test
    void aLentBufferTheTransportReturnsAfterItsReceiveWasAbandonedIsLetGoWithAWarning() throws Exception {
        try (ReceiveQueueFixture fixture = new ReceiveQueueFixture()) {
            ReceiveQueue receives = fixture.receives;
            ByteBuffer buffer = ByteBuffer.allocateDirect(16);
            fixture.post(new ByteBuffer[] {buffer}, recorder);
            ByteBuf lent = receives.lend();
            assertNotNull(lent, "a lone direct buffer is lent");
            receives.close(FailureKind.CLOSED_LOCALLY.alone());
            assertEquals(ReceiveResult.ABANDONED, recorder.next().result());

            lent.writeBytes(new byte[] {1, 2, 3}); // what a read completing late would do
            // The warning comes once per process; nothing else in these tests returns a lent buffer late.
            try (WarningRecorder warnings = WarningRecorder.start()) {
                receives.onRead(lent);
                assertEquals(0, lent.refCnt(), "the lent buffer is released");
                assertEquals(1, warnings.warnings().size(), () -> String.join("\n", warnings.warnings()));
                assertTrue(warnings.warnings().get(0).contains("cannot be kept"), warnings.warnings().get(0));
            }
            assertEquals(1, recorder.count(), "the receive completed once");
            assertEquals(0, buffer.position(), "an abandoned receive's buffer keeps its position");
            assertEquals(0, fixture.outstanding.count());
        }
    }

    /**
     * One round: a direct-buffer receive is pending while the peer writes on and on, and the test thread
     * closes the socket. The receive completes once, OK or ABANDONED, and its buffer then holds what the
     * callback saw, even after the channel is gone and its event loop has turned once more.
     */
    private static ReceiveResult closeUnderAPendingReceive(DomainSockets sockets)
            throws Exception {
        try (DomainLink link = sockets.open(null)) {
            CountDownLatch peerWrote = new CountDownLatch(1);
            FutureTask<Void> peerWrites = inThread(() -> writeUntilTheConnectionEnds(link.peer(), peerWrote));
            assertTrue(peerWrote.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the peer could not write");

            ByteBuffer buffer = ByteBuffer.allocateDirect(RACE_BUFFER);
            buffer.put(0, filled(RACE_BUFFER, SENTINEL));
            AtomicInteger callbacks = new AtomicInteger();
            AtomicReference<ReceiveResult> result = new AtomicReference<>();
            AtomicReference<byte[]> seen = new AtomicReference<>();
            ByteBuffer[] payload = {buffer};
            OnReceiveComplete<Object> callback = (context, r, bytes) -> {
                seen.set(contents(buffer));
                result.set(r);
                callbacks.incrementAndGet();
            };
            assertEquals(0, link.socket().receiveAsync(payload, callback, null));
            link.socket().close();

            assertEquals(1, callbacks.get(), "close() returned: the pending receive has completed");
            assertTrue(result.get() == ReceiveResult.OK || result.get() == ReceiveResult.ABANDONED,
                    result.get().name());
            link.awaitChannelGone();
            assertEquals(1, callbacks.get(), "the receive completed once");
            assertArrayEquals(seen.get(), contents(buffer), "bytes were written into the buffer after its callback");
            link.peer().close(); // ends the peer's writes, should the close not have
            peerWrites.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return result.get();
        }
    }

    private static Void writeUntilTheConnectionEnds(SocketChannel peer, CountDownLatch wrote) {
        ByteBuffer bytes = ByteBuffer.wrap(filled(RACE_BUFFER, PEER_BYTE));
        try {
            while (true) {
                bytes.clear();
                peer.write(bytes);
                wrote.countDown();
            }
        } catch (IOException endOfTheConnection) {
            return null;
        }
    }

    private static byte[] filled(int count, byte value) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, value);
        return bytes;
    }

    /** All of a buffer's bytes, from 0 to its capacity, leaving it as it was. */
    private static byte[] contents(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.capacity()];
        buffer.get(0, bytes);
        return bytes;
    }

    private static byte[] readFully(SocketChannel peer, int count) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(count);
        while (bytes.hasRemaining()) {
            if (peer.read(bytes) < 0) {
                throw new IOException("EOF after " + bytes.position() + " of " + count + " bytes");
            }
        }
        return bytes.array();
    }

    /** Runs {@code task} on a thread of its own, a daemon so that a stuck peer cannot hold the JVM. */
    private static <T> FutureTask<T> inThread(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread thread = new Thread(future, "domain-socket-peer");
        thread.setDaemon(true);
        thread.start();
        return future;
    }

    /** An engine on one transport and a Unix-domain listener (a JDK one) on a path in the test's own directory. */
    private static final class DomainSockets implements AutoCloseable {
        private final NettyTransport transport;
        private final NettyExecutionEngine engine;
        private final Path path;
        private final ServerSocketChannel server;

        DomainSockets(NettyTransport transport, Path dir) throws IOException {
            assumeTrue(transport.isAvailable(), transport + " does not load here");
            this.transport = transport;
            this.engine = NettyExecutionEngine.create(transport, 2);
            assertNotNull(engine);
            this.path = dir.resolve("peer.sock");
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        }

        /**
         * A socket open on a new client channel of the transport's own Unix-domain kind, made by a Bootstrap on
         * the engine's group, and the peer accepted for it.
         *
         * @param allocator the channel's buffer allocator, or {@code null} for the default
         */
        DomainLink open(CountingAllocator allocator) throws Exception {
            Bootstrap bootstrap = new Bootstrap()
                    .group(engine.eventLoopGroup())
                    .channel(domainChannelType())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(EarlyInboundBuffer.INSTALLER);
            if (allocator != null) {
                bootstrap.option(ChannelOption.ALLOCATOR, allocator);
            }
            ChannelFuture connected = bootstrap.connect(address());
            assertTrue(connected.awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS), "connect timed out");
            assertTrue(connected.isSuccess(), () -> "connect failed: " + connected.cause());
            SocketChannel peer = server.accept(); // the connection is already queued: no wait
            NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
            assertNotNull(socket);
            DomainLink link = new DomainLink(connected.channel(), peer, socket);
            CallbackRecorder opened = new CallbackRecorder();
            assertEquals(0, socket.openAsync(NettySocketTransport.of(connected.channel()), opened, null));
            assertEquals(OpenResult.OK, opened.next().result());
            return link;
        }

        private Class<? extends Channel> domainChannelType() {
            return switch (transport) {
                case NIO -> NioDomainSocketChannel.class;
                case EPOLL -> EpollDomainSocketChannel.class;
                case IO_URING -> IoUringDomainSocketChannel.class;
            };
        }

        private SocketAddress address() {
            return transport == NettyTransport.NIO
                    ? UnixDomainSocketAddress.of(path) : new DomainSocketAddress(path.toFile());
        }

        @Override
        public void close() throws IOException {
            server.close();
            engine.decRef();
            assertTrue(engine.eventLoopGroup().isTerminated(), "the engine's threads are still running");
        }
    }

    /** A socket on a client channel, and the peer at the other end. */
    private record DomainLink(Channel channel, SocketChannel peer, NettyAsyncSocket socket)
            implements AutoCloseable {

        /** Waits until the channel is closed and off its event loop, and that loop has turned once more. */
        void awaitChannelGone() throws InterruptedException {
            assertTrue(channel.closeFuture().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    "channel not closed");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (channel.isRegistered()) {
                assertTrue(System.nanoTime() < deadline, "the channel stays registered with its event loop");
                Thread.sleep(1);
            }
            assertTrue(channel.eventLoop().submit(() -> { }).awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws IOException {
            socket.destroy();
            peer.close();
            channel.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
