package dev.asyncsocket.examples.fault;

import dev.asyncsocket.examples.fault.FaultProxy.Faults;
import dev.asyncsocket.netty.NettyTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

/** Every chunk of the stream is late: a slow network, not a broken one. */
@DisplayName("A stream whose every chunk is delayed")
class DelayedStreamTest {

    @DisplayName("arrives whole and in order both ways, every operation completing once")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void arrivesWholeAndInOrderBothWays(NettyTransport kind) throws Exception {
        Faults late = Faults.none().delayEachChunk(Duration.ofMillis(2));
        try (ProxiedPair pair = ProxiedPair.open(kind, late, late)) {
            Transfers.bothWaysIntact(pair, Streams.MIB, 202);
            Transfers.assertForwardedBothWays(pair, Streams.MIB);
        }
    }
}
