package dev.asyncsocket.examples.fault;

import dev.asyncsocket.examples.fault.FaultProxy.Faults;
import dev.asyncsocket.netty.NettyTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The network cuts the stream into one-byte TCP segments: nothing of it may show. */
@DisplayName("A stream cut into one-byte segments")
class SlicedStreamTest {

    @DisplayName("arrives whole and in order both ways, every operation completing once")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void arrivesWholeAndInOrderBothWays(NettyTransport kind) throws Exception {
        try (ProxiedPair pair = ProxiedPair.open(kind, Faults.none().oneByteSegments(), Faults.none().oneByteSegments())) {
            Transfers.bothWaysIntact(pair, Streams.MIB, 101);
            Transfers.assertForwardedBothWays(pair, Streams.MIB);
        }
    }
}
