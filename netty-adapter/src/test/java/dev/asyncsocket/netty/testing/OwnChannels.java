package dev.asyncsocket.netty.testing;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loopback connections on channels the test makes itself, as the owner of a pipeline does: its own
 * {@link ServerBootstrap} and {@link Bootstrap} on the event loops of one engine (2 threads on the given
 * transport), each end's pipeline set up by the test, in a {@link ChannelInitializer}. Sockets come from
 * {@link #newSocket()}, on that engine.
 *
 * <p>{@link #close()} destroys those sockets, closes every channel, releases the engine and checks that none
 * of its threads is left. Not thread-safe, except that accepted channels are collected from the event loop;
 * one per test.
 */
public final class OwnChannels implements AutoCloseable {

    private static final long CLOSE_SECONDS = 5;

    private final NettyExecutionEngine engine;
    private final Class<? extends SocketChannel> socketType;
    private final Class<? extends ServerSocketChannel> serverType;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final List<NettyAsyncSocket> sockets = new ArrayList<>();
    private Channel server;

    private OwnChannels(NettyExecutionEngine engine, Class<? extends SocketChannel> socketType,
                        Class<? extends ServerSocketChannel> serverType) {
        this.engine = engine;
        this.socketType = socketType;
        this.serverType = serverType;
    }

    /** An engine on {@code transport}, whose channels are of the given classes (the transport's own). */
    public static OwnChannels on(NettyTransport transport, Class<? extends SocketChannel> socketType,
                                 Class<? extends ServerSocketChannel> serverType) {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        assertNotNull(engine, transport + " is not available");
        return new OwnChannels(engine, socketType, serverType);
    }

    public NettyExecutionEngine engine() {
        return engine;
    }

    /**
     * Listens on the loopback address, any free port. Each accepted channel is set up by {@code initChild},
     * with auto-read as given: off, the server reads nothing (a TLS server does not answer the client's hello)
     * until the test turns it on.
     */
    public void listen(Consumer<Channel> initChild, boolean childAutoRead) {
        server = new ServerBootstrap()
                .group(engine.eventLoopGroup())
                .channel(serverType)
                .childOption(ChannelOption.AUTO_READ, childAutoRead)
                .childHandler(initializer(child -> {
                    channels.add(child);
                    initChild.accept(child);
                    accepted.add(child);
                }))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly().channel();
    }

    /** The next channel the server accepted, waiting up to {@link CallbackRecorder#TIMEOUT_SECONDS} for it. */
    public Channel accepted() throws InterruptedException {
        Channel child = accepted.poll(CallbackRecorder.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(child, "the server accepted no connection");
        return child;
    }

    /**
     * A channel connected to the server, its pipeline set up by {@code init} before it connects; auto-read is
     * Netty's default, on. Returns once connected (a client's TLS handshake has only just started then).
     */
    public Channel connect(Consumer<Channel> init) {
        Channel channel = new Bootstrap()
                .group(engine.eventLoopGroup())
                .channel(socketType)
                .handler(initializer(init))
                .connect(server.localAddress())
                .syncUninterruptibly().channel();
        channels.add(channel);
        return channel;
    }

    /** A closed socket on the engine; {@link #close()} destroys it. */
    public NettyAsyncSocket newSocket() {
        NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
        assertNotNull(socket);
        sockets.add(socket);
        return socket;
    }

    /** A new socket, opened on {@code transport}: its open callback has run, with OK. */
    public NettyAsyncSocket open(NettySocketTransport transport) throws InterruptedException {
        NettyAsyncSocket socket = newSocket();
        CallbackRecorder opened = new CallbackRecorder();
        assertEquals(0, socket.openAsync(transport, opened, null));
        assertEquals(OpenResult.OK, opened.next().result());
        return socket;
    }

    private static ChannelInitializer<Channel> initializer(Consumer<Channel> init) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                init.accept(channel);
            }
        };
    }

    @Override
    public void close() {
        sockets.forEach(NettyAsyncSocket::destroy);
        // Channels no socket took over stay with the test: closed here, before the event loops end.
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
        }
        engine.decRef();
        assertTrue(engine.eventLoopGroup().isTerminated(), "the engine's threads are still running");
    }
}
