package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The plain-Netty side of a {@link NettyTransport}, for the code that uses Netty directly (the raw stack and
 * the peer): its I/O handler and channel classes, and single-threaded groups on it. Stateless.
 */
final class NettyTransports {

    private NettyTransports() {
    }

    /** A group of one event-loop thread named {@code name}; shut it down with {@link #shutDown}. */
    static EventLoopGroup singleThreadGroup(NettyTransport transport, String name) {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), ioHandlerFactory(transport));
    }

    /** The thread of a single-threaded group. */
    static Thread threadOf(EventLoopGroup group) {
        try {
            return group.next().submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new BenchmarkFailure("event loop did not answer", e);
        }
    }

    static void shutDown(EventLoopGroup group) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Class<? extends SocketChannel> socketChannel(NettyTransport transport) {
        switch (transport) {
            case EPOLL:
                return EpollSocketChannel.class;
            case IO_URING:
                return IoUringSocketChannel.class;
            default:
                return NioSocketChannel.class;
        }
    }

    static Class<? extends ServerSocketChannel> serverChannel(NettyTransport transport) {
        switch (transport) {
            case EPOLL:
                return EpollServerSocketChannel.class;
            case IO_URING:
                return IoUringServerSocketChannel.class;
            default:
                return NioServerSocketChannel.class;
        }
    }

    private static IoHandlerFactory ioHandlerFactory(NettyTransport transport) {
        switch (transport) {
            case EPOLL:
                return EpollIoHandler.newFactory();
            case IO_URING:
                return IoUringIoHandler.newFactory();
            default:
                return NioIoHandler.newFactory();
        }
    }
}
