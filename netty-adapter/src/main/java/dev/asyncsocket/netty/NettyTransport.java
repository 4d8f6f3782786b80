package dev.asyncsocket.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * The Netty transports a socket can run on. NIO is always available; EPOLL and IO_URING only where
 * their native library loads (Linux x86_64 here, and for io_uring a kernel that allows it).
 */
public enum NettyTransport {
    NIO(NioIoHandler.class, NioSocketChannel.class, NioServerSocketChannel.class) {
        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }
    },
    EPOLL(EpollIoHandler.class, EpollSocketChannel.class, EpollServerSocketChannel.class) {
        @Override
        public boolean isAvailable() {
            return Epoll.isAvailable();
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }
    },
    IO_URING(IoUringIoHandler.class, IoUringSocketChannel.class, IoUringServerSocketChannel.class) {
        @Override
        public boolean isAvailable() {
            return IoUring.isAvailable();
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }
    };

    private final Class<? extends IoHandler> ioHandlerType;
    private final Class<? extends SocketChannel> socketChannelType;
    private final Class<? extends ServerSocketChannel> serverChannelType;

    NettyTransport(Class<? extends IoHandler> ioHandlerType, Class<? extends SocketChannel> socketChannelType,
                   Class<? extends ServerSocketChannel> serverChannelType) {
        this.ioHandlerType = ioHandlerType;
        this.socketChannelType = socketChannelType;
        this.serverChannelType = serverChannelType;
    }

    /** Whether this transport can run here. */
    public abstract boolean isAvailable();

    abstract IoHandlerFactory ioHandlerFactory();

    Class<? extends SocketChannel> socketChannelType() {
        return socketChannelType;
    }

    Class<? extends ServerSocketChannel> serverChannelType() {
        return serverChannelType;
    }

    /** The fastest transport available: EPOLL where it loads, else IO_URING, else NIO. */
    public static NettyTransport best() {
        if (EPOLL.isAvailable()) {
            return EPOLL;
        }
        return IO_URING.isAvailable() ? IO_URING : NIO;
    }

    /** The transport whose I/O handler drives {@code group}, or {@code null} if it is none of these. */
    static NettyTransport of(EventLoopGroup group) {
        if (!(group instanceof IoEventLoopGroup)) {
            return null;
        }
        IoEventLoopGroup ioGroup = (IoEventLoopGroup) group;
        for (NettyTransport transport : values()) {
            if (transport.isAvailable() && ioGroup.isIoType(transport.ioHandlerType)) {
                return transport;
            }
        }
        return null;
    }
}
