package dev.asyncsocket.examples.soak;

import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.Transports;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The race soak with a fixed seed, about 45 seconds in all, split over the transports that load here, with two
 * proxy pairs at a time beside the sockets. Buffer leaks are checked by the suite's leak detector (NoLeaksExtension fails the class on any).
 */
@DisplayName("Random sends, receives, closes and destroys racing against resetting peers, and proxies ending each other")
class RaceSoakTest {

    private static final long SEED = 42;
    private static final long TOTAL_SECONDS = 45;

    @DisplayName("lose nothing, call back exactly once and leave no thread behind")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    @Timeout(90)
    void loseNothingCallBackExactlyOnceAndLeaveNoThreadBehind(NettyTransport kind) throws Exception {
        long seconds = Math.max(5, TOTAL_SECONDS / Transports.available().count());
        RaceSoak.Summary summary = RaceSoak.run(new RaceSoak.Options(seconds, SEED, 12, 4, 2, kind, 5, true, System.out));

        String replay = " (seed " + SEED + "; replay: RaceSoak --seed " + SEED + " --sockets 12 --proxies 2 --transport " + kind
                + ")\n" + summary.problems();
        assertTrue(summary.accepted() > 1000, "the soak did too little to prove anything: " + summary.accepted() + replay);
        assertEquals(0, summary.proxies().stuck(), "proxy pairs stuck, their event loops blocked in close() or destroy()"
                + " (engines deadlocked: " + summary.proxies().deadlocks() + ")" + replay);
        assertTrue(summary.proxies().mutualCloses() > 0, "no proxy pair ended both its legs from callbacks" + replay);
        assertEquals(0, summary.proxies().brokenStreams(), "proxy pairs relayed streams that arrived broken" + replay);
        assertEquals(0, summary.lostCallbacks(), "accepted operations without a callback" + replay);
        assertEquals(0, summary.duplicateCallbacks(), "second callbacks" + replay);
        assertEquals(0, summary.callbacksOnRefused(), "callbacks for refused calls" + replay);
        assertEquals(0, summary.lost(), "lost frames or bytes" + replay);
        assertEquals(0, summary.corrupt(), "corrupted streams" + replay);
        assertEquals(0, summary.orderViolations(), "frames out of order or not matching OK sends" + replay);
        assertEquals(0, summary.unexplainedEnds(), "receives ended with no reason" + replay);
        assertEquals(0, summary.threadsLeft(), "event-loop threads left" + replay);
        assertTrue(summary.leaks() <= 0, "leaked buffers" + replay);
        assertTrue(summary.passed(), replay);
    }
}
