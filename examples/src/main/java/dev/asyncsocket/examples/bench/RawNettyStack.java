package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

/**
 * The baseline: a hand-written Netty pipeline of one handler ({@link RawNettyClient}) on a group of one
 * event-loop thread, auto-read on, {@code TCP_NODELAY}. The write-buffer high water mark is the workload's
 * window in bytes, which is how Netty code bounds what it has outstanding. Used from the main thread.
 */
final class RawNettyStack implements Stack {

    static final String NAME = "raw Netty";
    private static final int TIMEOUT_MS = 5000;

    private final NettyTransport transport;
    private final EventLoopGroup group;

    RawNettyStack(NettyTransport transport) {
        this.transport = transport;
        this.group = NettyTransports.singleThreadGroup(transport, "bench-netty-" + transport.name().toLowerCase());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Client connect(Workload workload, int port, ClientEvents events) {
        int windowBytes = Math.max(1, workload.window() * workload.messageBytes());
        RawNettyClient client = new RawNettyClient(workload, events);
        new Bootstrap()
                .group(group)
                .channel(NettyTransports.socketChannel(transport))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TIMEOUT_MS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(windowBytes / 2, windowBytes))
                .handler(client)
                .connect("127.0.0.1", port)
                .syncUninterruptibly();
        return client;
    }

    @Override
    public Thread clientThread() {
        return NettyTransports.threadOf(group);
    }

    @Override
    public void close() {
        NettyTransports.shutDown(group);
    }
}
