package dev.asyncsocket.netty;

import io.netty.channel.Channel;
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

        @Override
        boolean readsCompleteInPlace() {
            return true; // a read is a read(2) inside the channel's read loop
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

        @Override
        boolean readsCompleteInPlace() {
            return true; // as NIO: epoll only says when to read
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

        @Override
        boolean readsCompleteInPlace() {
            return false; // the kernel fills the buffer whenever the submitted read completes
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

    /**
     * Whether a read fills its buffer on the stack of the {@code allocate} that gave it the buffer, and hands
     * it to {@code channelRead} before that stack unwinds. Only then may the buffer be a receive's own memory:
     * nothing else can run between the two, so no close can abandon the receive while the read still writes.
     */
    abstract boolean readsCompleteInPlace();

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

    /**
     * Whether the transport of {@code channel} may read straight into a receive's buffer: whether the I/O
     * handler of the channel's event loop, which does the channel's reads, is one of a transport whose reads
     * complete in place. Decided by the loop, not the channel's class, so that it holds for every channel a
     * caller can pass to {@link NettySocketTransport#of} (TCP, Unix-domain, any other). A channel on no loop
     * yet or on a loop of no known transport (a {@code LocalChannel}, an {@code EmbeddedChannel}, kqueue)
     * answers {@code false}, the safe side: the socket then copies.
     */
    static boolean mayReadIntoPostedBuffer(Channel channel) {
        if (!channel.isRegistered()) {
            return false;
        }
        NettyTransport transport = of(channel.eventLoop());
        return transport != null && transport.readsCompleteInPlace();
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
