package dev.asyncsocket.netty.testing;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared fixture: a {@link NettyAsyncSocket} on one end of a loopback TCP connection, and a plain
 * blocking {@link Socket} on the other (the peer), which the test drives byte by byte: write, read,
 * half-close, reset. The peer's {@link Socket#getChannel() channel} may be switched to non-blocking mode
 * to write exactly as much as TCP accepts. The engine has 2 event-loop threads on the given transport,
 * or is one the test passes in.
 *
 * <p>{@link #close()} destroys the socket, closes the peer and releases the engine; an engine the pair
 * created must then have no thread left. Not thread-safe; one per test.
 */
public final class LoopbackPair implements AutoCloseable {

    private static final int PEER_READ_TIMEOUT_MS = 10_000;

    private final NettyExecutionEngine engine;
    private final boolean ownsEngine;
    private final ServerSocketChannel server;
    private final NettySocketTransport transport;
    private final Socket peer;
    private final NettyAsyncSocket socket;
    private final CallbackRecorder openRecorder = new CallbackRecorder();

    private LoopbackPair(NettyExecutionEngine engine, boolean ownsEngine) throws IOException {
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        transport = NettySocketTransport.connect(engine, "127.0.0.1", port(), 5000);
        assertNotNull(transport, "connect failed");
        peer = server.accept().socket();
        peer.setSoTimeout(PEER_READ_TIMEOUT_MS);
        peer.setTcpNoDelay(true);
        socket = NettyAsyncSocket.create(engine);
        assertNotNull(socket);
    }

    /** A connected pair whose socket is not open yet. */
    public static LoopbackPair connected(NettyTransport kind) throws IOException {
        return new LoopbackPair(newEngine(kind), true);
    }

    /** A connected pair whose socket is open (its open callback has run). */
    public static LoopbackPair open(NettyTransport kind) throws IOException, InterruptedException {
        return open(new LoopbackPair(newEngine(kind), true));
    }

    /** An open pair on the caller's engine; the pair takes over one reference to it. */
    public static LoopbackPair open(NettyExecutionEngine engine) throws IOException, InterruptedException {
        return open(new LoopbackPair(engine, false));
    }

    private static LoopbackPair open(LoopbackPair pair) throws InterruptedException {
        assertEquals(0, pair.socket.openAsync(pair.transport, pair.openRecorder, null));
        assertEquals(OpenResult.OK, pair.openRecorder.next().result());
        return pair;
    }

    private static NettyExecutionEngine newEngine(NettyTransport kind) {
        NettyExecutionEngine engine = NettyExecutionEngine.create(kind, 2);
        assertNotNull(engine, kind + " is not available");
        return engine;
    }

    private int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    public NettyAsyncSocket socket() {
        return socket;
    }

    public NettyExecutionEngine engine() {
        return engine;
    }

    public NettySocketTransport transport() {
        return transport;
    }

    public Socket peer() {
        return peer;
    }

    /** Another connection to the same listening peer: a fresh transport and its peer socket. */
    public Connected connectAgain() throws IOException {
        NettySocketTransport fresh = NettySocketTransport.connect(engine, "127.0.0.1", port(), 5000);
        assertNotNull(fresh, "connect failed");
        Socket freshPeer = server.accept().socket();
        freshPeer.setSoTimeout(PEER_READ_TIMEOUT_MS);
        return new Connected(fresh, freshPeer);
    }

    /**
     * Another connection to the same listening peer, on a channel the test makes itself with its own
     * {@link Bootstrap} (as a pipeline owner would) and hands to {@link NettySocketTransport#of}.
     */
    public Connected connectOwnChannel(boolean autoRead) throws IOException {
        Channel channel = new Bootstrap()
                .group(engine.eventLoopGroup())
                .channel(engine.transport() == NettyTransport.EPOLL ? EpollSocketChannel.class
                        : engine.transport() == NettyTransport.IO_URING ? IoUringSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(new ChannelInboundHandlerAdapter())
                .connect("127.0.0.1", port()).syncUninterruptibly().channel();
        Socket freshPeer = server.accept().socket();
        freshPeer.setSoTimeout(PEER_READ_TIMEOUT_MS);
        return new Connected(NettySocketTransport.of(channel), freshPeer);
    }

    /** A transport and the peer socket at its other end. */
    public record Connected(NettySocketTransport transport, Socket peer) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            transport.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            peer.close();
        }
    }

    /** Waits until the socket's event loop has finished the task it is running now (and those before it). */
    public void awaitEventLoopTurn() {
        assertTrue(transport.channel().eventLoop().submit(() -> { }).awaitUninterruptibly(10, TimeUnit.SECONDS));
    }

    /** What {@link #receiveUntilNotOk} got: the bytes, in order, and the callback that ended it. */
    public record Drained(byte[] bytes, CallbackRecorder.Callback last) {
    }

    /**
     * Posts one receive of a fresh {@code bufferSize}-byte buffer at a time, each after the previous one
     * completed, until one does not complete OK.
     */
    public Drained receiveUntilNotOk(CallbackRecorder recorder, int bufferSize) throws InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        CallbackRecorder.Callback done;
        do {
            ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
            assertEquals(0, socket.receiveAsync(new ByteBuffer[] {buffer}, recorder, null));
            done = recorder.next();
            all.writeBytes(Bytes.written(buffer));
        } while (done.result() == ReceiveResult.OK);
        return new Drained(all.toByteArray(), done);
    }

    /** As {@link #receiveUntilNotOk}, until {@code count} bytes came; each receive must complete OK. */
    public byte[] receiveExactly(CallbackRecorder recorder, int count, int bufferSize) throws InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream(count);
        while (all.size() < count) {
            ByteBuffer buffer = ByteBuffer.allocate(Math.min(bufferSize, count - all.size()));
            assertEquals(0, socket.receiveAsync(new ByteBuffer[] {buffer}, recorder, null));
            CallbackRecorder.Callback done = recorder.next();
            assertEquals(ReceiveResult.OK, done.result());
            assertEquals(buffer.position(), done.bytes());
            all.writeBytes(Bytes.written(buffer));
        }
        return all.toByteArray();
    }

    /**
     * Holds the socket's event loop inside a receive callback until the returned latch is counted down:
     * posts a 1-byte receive whose callback waits, has the peer send a byte, and returns once the callback
     * is running.
     */
    public CountDownLatch holdInsideACallback() throws IOException, InterruptedException {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        socket.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, (ctx, result, bytes) -> {
            inCallback.countDown();
            Latches.awaitQuietly(release);
        }, null);
        peerWrite(new byte[] {1});
        assertTrue(inCallback.await(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the callback never ran");
        return release;
    }

    /**
     * Closes the socket from another thread and fails if that close has not returned within the recorder's
     * time-out: a close that never returns fails the test instead of hanging it.
     */
    public void closeSocketWithin() throws Exception {
        CompletableFuture.runAsync(socket::close).get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs {@code task} on the socket's event loop, waits for it and returns what it returned. */
    public <T> T onTheLoop(Callable<T> task) throws Exception {
        return transport.channel().eventLoop().submit(task).get(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Reads and drops exactly {@code count} bytes at the peer (fails on EOF or after the read time-out). */
    public void peerSkip(long count) throws IOException {
        InputStream in = peer.getInputStream();
        byte[] chunk = new byte[64 * 1024];
        for (long left = count; left > 0; ) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            assertTrue(n > 0, "the peer reached EOF " + left + " bytes early");
            left -= n;
        }
    }

    public void peerWrite(byte[] bytes) throws IOException {
        peer.getOutputStream().write(bytes);
        peer.getOutputStream().flush();
    }

    /** Reads exactly {@code count} bytes at the peer (fails on EOF or after the read time-out). */
    public byte[] peerRead(int count) throws IOException {
        byte[] bytes = peer.getInputStream().readNBytes(count);
        assertEquals(count, bytes.length, "the peer reached EOF early");
        return bytes;
    }

    /** Reads at the peer until EOF and returns how many bytes came. */
    public long peerReadToEof() throws IOException {
        InputStream in = peer.getInputStream();
        byte[] chunk = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(chunk)) >= 0; ) {
            total += n;
        }
        return total;
    }

    /** The peer sends its FIN: the socket sees EOF, and may still send to the peer. */
    public void peerShutdownOutput() throws IOException {
        peer.shutdownOutput();
    }

    /** The peer closes with SO_LINGER 0: the socket sees a reset (RST). */
    public void peerReset() throws IOException {
        peer.setSoLinger(true, 0);
        peer.close();
    }

    @Override
    public void close() throws IOException {
        socket.destroy();
        // A transport never opened stays with the caller: closed here before the loops end, since io_uring
        // leaks the read buffer it starts for a peer's hang-up that arrives while its loop is being destroyed.
        transport.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        peer.close();
        server.close();
        engine.decRef();
        if (ownsEngine) {
            assertTrue(engine.eventLoopGroup().isTerminated(), "the engine's threads are still running");
        }
    }
}
