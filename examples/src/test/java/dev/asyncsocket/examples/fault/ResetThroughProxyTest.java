package dev.asyncsocket.examples.fault;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.examples.fault.FaultProxy.Direction;
import dev.asyncsocket.examples.fault.FaultProxy.Faults;
import dev.asyncsocket.examples.fault.FaultProxy.Side;
import dev.asyncsocket.netty.NettyTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection is reset (RST, SO_LINGER 0) in the middle of streams going both ways. Whatever arrived
 * before is delivered intact and in order, nothing after it is invented, and every accepted operation still
 * gets exactly one callback: sends OK up to the failure and ERROR or ABANDONED after it (never OK again),
 * receives ABANDONED; new sends are refused with NOT_OPEN or fail the same way.
 */
@DisplayName("A connection reset in the middle of a stream")
class ResetThroughProxyTest {

    @DisplayName("on the socket's side ends its receives ABANDONED and its sends without loss")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void onTheSocketsSideEndsReceivesAbandonedAndSendsWithoutLoss(NettyTransport kind) throws Exception {
        // Tests_SRS_ASYNC_SOCKET_WIN32_42_001: a reset under a pending receive completes it ABANDONED with 0 bytes
        byte[] upload = Streams.pattern(31, 4 * Streams.MIB);
        byte[] download = Streams.pattern(32, 4 * Streams.MIB);
        try (ProxiedPair pair = ProxiedPair.open(kind, Faults.none().resetAfter(Streams.MIB, Side.CLIENT), Faults.none())) {
            var peerRead = Peer.readToEnd(pair.peer());
            Peer.write(pair.peer(), download, true); // ends when the proxy closes the peer's side
            SocketReceiver receiver = SocketReceiver.start(pair.socket(), 33);

            SocketSender.Outcome sent = SocketSender.send(pair.socket(), upload, 34, 8);

            assertTrue(sent.exactlyOnce(), "exactly one callback per accepted send: " + sent);
            assertTrue(sent.completedInOrder(), "send callbacks in order: " + sent);
            assertTrue(sent.noSuccessAfterFailure(), "no send OK after one failed: " + sent);
            assertEquals(ReceiveResult.ABANDONED, receiver.awaitEnd(Transfers.WAIT_SECONDS), "the reset ends receives ABANDONED");
            byte[] got = receiver.received();
            assertTrue(Streams.isPrefix(got, download), "what the socket received is the start of the peer's stream: "
                    + Streams.compare(got, download));
            assertEquals(List.of(), receiver.violations());
            assertEquals(0, receiver.ledger().outstanding());

            // The proxy passed exactly 1 MiB to the peer, then closed its side cleanly.
            Peer.Read read = peerRead.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(read.endedCleanly(), "the peer's read ended with " + read.failure());
            assertTrue(Arrays.equals(Arrays.copyOf(upload, Streams.MIB), read.bytes()), Streams.compare(read.bytes(), upload));

            Transfers.newReceivesEndWithoutLoss(pair.socket());
            Transfers.newSendsFailWithoutLoss(pair.socket());
        }
    }

    @DisplayName("on the peer's side ends the socket's stream after exactly the bytes passed, and later sends without loss")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void onThePeersSideEndsTheSocketsStreamAndItsSendsWithoutLoss(NettyTransport kind) throws Exception {
        int cut = Streams.MIB / 2;
        byte[] upload = Streams.pattern(41, 4 * Streams.MIB);
        byte[] download = Streams.pattern(42, 4 * Streams.MIB);
        // The proxy resets the peer once half a MiB has gone to the socket, sends the socket a FIN, and drops
        // what the socket sends from then on.
        try (ProxiedPair pair = ProxiedPair.open(kind, Faults.none(), Faults.none().resetAfter(cut, Side.SERVER))) {
            var peerRead = Peer.readToEnd(pair.peer());
            var peerWrote = Peer.write(pair.peer(), download, true);
            SocketReceiver receiver = SocketReceiver.start(pair.socket(), 43);

            SocketSender.Outcome sent = SocketSender.send(pair.socket(), upload, 44, 8);
            pair.proxy().faulted(Direction.TO_CLIENT).get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS); // the reset happened

            assertTrue(sent.exactlyOnce(), "exactly one callback per accepted send: " + sent);
            assertTrue(sent.completedInOrder(), "send callbacks in order: " + sent);
            assertTrue(sent.noSuccessAfterFailure(), "no send OK after one failed: " + sent);
            assertEquals(ReceiveResult.ABANDONED, receiver.awaitEnd(Transfers.WAIT_SECONDS));
            byte[] got = receiver.received();
            assertTrue(Arrays.equals(Arrays.copyOf(download, cut), got), "exactly the bytes the proxy passed: "
                    + Streams.compare(got, Arrays.copyOf(download, cut)) + "; receive problems " + receiver.violations()
                    + "; sends " + sent + "; proxy passed " + pair.proxy().forwarded(Direction.TO_CLIENT) + " to the socket, dropped "
                    + pair.proxy().dropped(Direction.TO_SERVER) + " of its bytes");
            assertEquals(List.of(), receiver.violations());
            assertEquals(0, receiver.ledger().outstanding());

            Peer.Read read = peerRead.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(Streams.isPrefix(read.bytes(), upload), "what the peer got is the start of the socket's stream");
            peerWrote.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS); // ends, one way or another

            // Then the proxy resets the socket's side too: sending on runs into it, exactly-once until it fails.
            pair.proxy().close();
            sendUntilTheResetShows(pair);
            Transfers.newReceivesEndWithoutLoss(pair.socket());
            Transfers.newSendsFailWithoutLoss(pair.socket());
        }
    }

    private static void sendUntilTheResetShows(ProxiedPair pair) throws Exception {
        for (int round = 0; round < 50; round++) {
            SocketSender.Outcome more = SocketSender.send(pair.socket(), Streams.pattern(round, 64 * 1024), round, 4);
            assertTrue(more.exactlyOnce(), more.toString());
            assertTrue(more.noSuccessAfterFailure(), more.toString());
            if (more.refusedWith() != null || more.count(dev.asyncsocket.SendResult.OK) < more.accepted()) {
                return;
            }
        }
        throw new AssertionError("3.2 MiB sent OK to a proxy end that was closed and answers with resets");
    }
}
