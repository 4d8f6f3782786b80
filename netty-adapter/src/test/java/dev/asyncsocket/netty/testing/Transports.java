package dev.asyncsocket.netty.testing;

import dev.asyncsocket.netty.NettyTransport;

import java.util.Arrays;
import java.util.stream.Stream;

/** The transports a parameterized test runs on: every {@link NettyTransport} that loads here. */
public final class Transports {

    private Transports() {
    }

    /** For {@code @MethodSource("dev.asyncsocket.netty.testing.Transports#available")}. */
    public static Stream<NettyTransport> available() {
        return Arrays.stream(NettyTransport.values()).filter(NettyTransport::isAvailable);
    }
}
