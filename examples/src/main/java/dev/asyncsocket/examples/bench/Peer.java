package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one benchmark connection, the same for every stack so that only the client differs:
 * plain Netty on the transport under test, auto-read on, {@code TCP_NODELAY}, listening on 127.0.0.1 for
 * exactly one connection. Its {@link PeerConnection} runs on the peer group's single event loop; this class
 * is used from the round runner's thread and reaches the connection through tasks.
 */
final class Peer implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 10;

    private final Channel server;
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
    private final PeerConnection connection;

    private Peer(EventLoopGroup group, NettyTransport transport, Workload.PeerMode mode) {
        this.connection = new PeerConnection(mode);
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NettyTransports.serverChannel(transport))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (accepted.complete(channel)) {
                            channel.pipeline().addLast(connection);
                        } else {
                            channel.close(); // one connection per peer
                        }
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    static Peer listen(EventLoopGroup group, NettyTransport transport, Workload.PeerMode mode) {
        return new Peer(group, transport, mode);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Waits for the client's connection, then stops listening. */
    void awaitConnected() throws Exception {
        accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        server.close().syncUninterruptibly();
    }

    PeerConnection.Counters counters() {
        return onLoop(connection::counters);
    }

    void startStreaming() {
        onLoop(() -> {
            connection.startStreaming();
            return null;
        });
    }

    /** Stops streaming; returns every byte the peer has sent on this connection. */
    long stopStreaming() {
        return onLoop(connection::stopStreaming);
    }

    /** Waits until the peer has read {@code bytesIn} bytes in all; fails if it reads more or never gets there. */
    PeerConnection.Counters awaitBytesIn(long bytesIn) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            PeerConnection.Counters counters = counters();
            if (counters.failure() != null) {
                throw new BenchmarkFailure("peer failed", counters.failure());
            }
            if (counters.bytesIn() >= bytesIn || System.nanoTime() - deadline > 0) {
                return counters;
            }
            sleepMillis(1);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        Channel channel = accepted.getNow(null);
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }

    private <T> T onLoop(Callable<T> task) {
        Channel channel = accepted.getNow(null);
        if (channel == null) {
            throw new BenchmarkFailure("peer not connected");
        }
        try {
            return channel.eventLoop().submit(task).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new BenchmarkFailure("peer task failed", e);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchmarkFailure("interrupted", e);
        }
    }
}
