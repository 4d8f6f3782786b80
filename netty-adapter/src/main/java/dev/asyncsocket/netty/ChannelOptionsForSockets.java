package dev.asyncsocket.netty;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;

/**
 * The options of the channels this library creates itself ({@link NettySocketTransport#connect} and
 * {@link NettySocketListener}): no Nagle delay, reads only on request (the socket reads while a receive
 * is pending), and the peer's EOF ending only the receiving direction.
 */
final class ChannelOptionsForSockets {

    private ChannelOptionsForSockets() {
    }

    static void apply(AbstractBootstrap<?, ?> bootstrap) {
        bootstrap.option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }

    static void applyToChildren(ServerBootstrap bootstrap) {
        bootstrap.childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }
}
