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
 * proxy pairs at a time beside the sockets, and the hostile callers: one changing its arguments while it calls,
 * callbacks that throw, a producer outrunning its event loop. Buffer leaks are checked by the suite's leak detector
 * (NoLeaksExtension fails the class on any).
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
        RaceSoak.Summary summary = RaceSoak.run(new RaceSoak.Options(seconds, SEED, 12, 4, 2, kind, 5, true, false, System.out));

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
        assertEquals(0, summary.closes().notReturned(), "close() or destroy() calls that did not return" + replay);
        assertEquals(0, summary.closes().threw(), "close() or destroy() calls that threw" + replay);

        HostileCaller.Summary hostile = summary.hostile();
        assertTrue(hostile.sendsAccepted() > 0 && hostile.receivesAccepted() > 0 && hostile.flickeredAccepted() > 0,
                "the hostile caller got no call accepted: " + hostile + replay);
        assertTrue(hostile.racedCalls() > 0, "no call raced a change of its arguments: " + hostile + replay);
        assertEquals(0, hostile.badResults(), "hostile receives with a result that makes no sense" + replay);

        CallbackThrows.Summary thrown = summary.callbackThrows();
        assertTrue(thrown.total() > 0, "no callback threw" + replay);
        assertEquals(thrown.total(), thrown.logged(), "throws from callbacks not logged once each" + replay);
        assertEquals(0, summary.libraryLog().unexpected(), "the library or Netty logged what nothing here explains" + replay);

        Flood.Summary flood = summary.flood();
        assertTrue(flood.bursts() > 0 && flood.closedInBurst() > 0, "the producer did not burst, or never closed in a burst: "
                + flood + replay);
        assertEquals(0, flood.brokenStreams(), "the producer's peers read streams that lost or garbled bytes" + replay);
        assertEquals(0, flood.unfinishedBursts(), "producer bursts whose callbacks did not all come" + replay);
        assertEquals(0, flood.earlyCloses(), "close() returned before every callback of the producer's socket" + replay);
        assertEquals(0, flood.neighbour().failed(), "round trips of the producer's neighbour that failed" + replay);
        assertTrue(summary.leaks() <= 0, "leaked buffers" + replay);
        assertTrue(summary.passed(), replay);
    }
}
