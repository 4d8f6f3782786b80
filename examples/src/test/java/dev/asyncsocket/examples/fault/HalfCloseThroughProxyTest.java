package dev.asyncsocket.examples.fault;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.examples.fault.FaultProxy.Direction;
import dev.asyncsocket.examples.fault.FaultProxy.Faults;
import dev.asyncsocket.netty.NettyTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One direction of the connection ends (FIN) in the middle of a stream while the other carries on: TCP
 * half-close, injected by the proxy at an exact byte count.
 */
@DisplayName("A connection half-closed in the middle of a stream")
class HalfCloseThroughProxyTest {

    private static final int CUT = 300_000;

    @DisplayName("towards the socket delivers every byte before the FIN, then ABANDONED, and the socket can still send")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void towardsTheSocketDeliversEveryByteThenAbandonedAndSendsStillWork(NettyTransport kind) throws Exception {
        // Tests_SRS_ASYNC_SOCKET_WIN32_42_003: the FIN is WSARecv's 0-byte completion: ABANDONED, 0 bytes, after every byte before it
        byte[] download = Streams.pattern(11, Streams.MIB);
        byte[] upload = Streams.pattern(12, Streams.MIB);
        try (ProxiedPair pair = ProxiedPair.open(kind, Faults.none(), Faults.none().halfCloseAfter(CUT))) {
            var peerRead = Peer.readToEnd(pair.peer());
            var peerWrote = Peer.write(pair.peer(), download, true);
            SocketReceiver receiver = SocketReceiver.start(pair.socket(), 13);

            assertEquals(ReceiveResult.ABANDONED, receiver.awaitEnd(Transfers.WAIT_SECONDS));
            byte[] got = receiver.received();
            assertTrue(Arrays.equals(Arrays.copyOf(download, CUT), got),
                    "exactly the bytes before the FIN: " + Streams.compare(got, Arrays.copyOf(download, CUT)));
            assertEquals(List.of(), receiver.violations());
            assertEquals(0, receiver.ledger().outstanding());
            Transfers.newReceivesEndWithoutLoss(pair.socket());

            // The EOF ended only the receiving direction: a whole stream still goes out.
            SocketSender.Outcome sent = SocketSender.send(pair.socket(), upload, 14, 8);
            assertTrue(sent.exactlyOnce(), sent.toString());
            assertEquals(sent.accepted(), sent.count(SendResult.OK), "sends after the peer's EOF complete OK: " + sent);
            pair.socket().close();
            Peer.Read read = peerRead.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(read.endedCleanly(), "the peer's read ended with " + read.failure());
            assertTrue(Arrays.equals(upload, read.bytes()), "the peer got the whole stream: " + Streams.compare(read.bytes(), upload));
            assertNull(peerWrote.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS).failure());
            assertEquals(Streams.MIB - CUT, pair.proxy().dropped(Direction.TO_CLIENT), "the proxy dropped the rest");
        }
    }

    @DisplayName("towards the peer ends the peer's stream after exactly the bytes before the FIN, and the socket still receives")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void towardsThePeerEndsItsStreamAndTheSocketStillReceives(NettyTransport kind) throws Exception {
        byte[] download = Streams.pattern(21, Streams.MIB);
        byte[] upload = Streams.pattern(22, Streams.MIB);
        try (ProxiedPair pair = ProxiedPair.open(kind, Faults.none().halfCloseAfter(CUT), Faults.none())) {
            var peerRead = Peer.readToEnd(pair.peer());
            SocketReceiver receiver = SocketReceiver.start(pair.socket(), 23);

            // Sends complete OK: the bytes were written to the socket; that the proxy dropped them is no failure.
            SocketSender.Outcome sent = SocketSender.send(pair.socket(), upload, 24, 8);
            assertTrue(sent.exactlyOnce(), sent.toString());
            assertEquals(sent.accepted(), sent.count(SendResult.OK), sent.toString());
            Peer.Read read = peerRead.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(read.endedCleanly(), "the peer's read ended with " + read.failure());
            assertTrue(Arrays.equals(Arrays.copyOf(upload, CUT), read.bytes()),
                    "the peer got exactly the bytes before the FIN: " + Streams.compare(read.bytes(), Arrays.copyOf(upload, CUT)));

            // The peer, told the socket is done sending, still sends its own stream, and the socket gets all of it.
            var peerWrote = Peer.write(pair.peer(), download, true);
            assertEquals(ReceiveResult.ABANDONED, receiver.awaitEnd(Transfers.WAIT_SECONDS));
            byte[] got = receiver.received();
            assertTrue(Arrays.equals(download, got), Streams.compare(got, download));
            assertEquals(List.of(), receiver.violations());
            assertEquals(0, receiver.ledger().outstanding());
            assertNull(peerWrote.get(Transfers.WAIT_SECONDS, TimeUnit.SECONDS).failure());
        }
    }
}
