package dev.asyncsocket.examples.fault;

import dev.asyncsocket.examples.fault.FaultProxy.Faults;
import dev.asyncsocket.netty.NettyTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

/**
 * The network stops forwarding for a while in the middle of the stream (a stalled router, a paused peer):
 * sends pile up in the socket buffers and receives wait, and once bytes flow again nothing is missing.
 */
@DisplayName("A stream that stalls in the middle")
class StallTest {

    @DisplayName("resumes whole and in order both ways, every operation completing once")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void resumesWholeAndInOrderBothWays(NettyTransport kind) throws Exception {
        Faults toPeer = Faults.none().stallAfter(300_000, Duration.ofMillis(400));
        Faults toSocket = Faults.none().stallAfter(500_000, Duration.ofMillis(400));
        try (ProxiedPair pair = ProxiedPair.open(kind, toPeer, toSocket)) {
            Transfers.bothWaysIntact(pair, Streams.MIB, 303);
        }
    }

    @DisplayName("that stalls before its first byte still arrives whole both ways")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void survivesAStallRightAtTheStart(NettyTransport kind) throws Exception {
        // A stall before the first byte: the socket's first receive and first sends wait with nothing moving.
        Faults stallAtOnce = Faults.none().stallAfter(0, Duration.ofMillis(300)).delayEachChunk(Duration.ofMillis(1));
        try (ProxiedPair pair = ProxiedPair.open(kind, stallAtOnce, stallAtOnce)) {
            Transfers.bothWaysIntact(pair, Streams.MIB / 4, 304);
        }
    }
}
