package dev.asyncsocket.examples.fault;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.testing.CallbackRecorder;

import java.nio.ByteBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data path checks that every fault mode shares. */
final class Transfers {

    static final long WAIT_SECONDS = 60;

    private Transfers() {
    }

    /**
     * Streams {@code size} checksummed bytes each way at once through the pair (the peer ending its direction
     * with FIN), then closes the socket, and checks: every byte arrived, in order, on both sides; every send
     * completed OK exactly once, in order; every receive completed exactly once, OK with bytes until the
     * peer's EOF, then ABANDONED after the last byte; the peer saw a clean end of stream.
     */
    static void bothWaysIntact(ProxiedPair pair, int size, long seed) throws Exception {
        byte[] upload = Streams.pattern(seed, size);
        byte[] download = Streams.pattern(seed + 1, size);
        var peerRead = Peer.readToEnd(pair.peer());
        var peerWrote = Peer.write(pair.peer(), download, true);
        SocketReceiver receiver = SocketReceiver.start(pair.socket(), seed + 2);

        SocketSender.Outcome sent = SocketSender.send(pair.socket(), upload, seed + 3, 8);

        assertNull(sent.refusedWith(), "a send was refused: " + sent);
        assertTrue(sent.exactlyOnce(), "exactly one callback per send: " + sent);
        assertEquals(sent.accepted(), sent.count(SendResult.OK), "every send completes OK: " + sent);
        assertTrue(sent.completedInOrder(), "send callbacks run in the order the sends were accepted");

        assertEquals(ReceiveResult.ABANDONED, receiver.awaitEnd(WAIT_SECONDS), "receives end ABANDONED after the peer's EOF");
        assertEquals(List.of(), receiver.violations());
        assertEquals(0, receiver.ledger().outstanding(), "every receive called back: " + receiver.ledger());
        assertEquals(0, receiver.ledger().duplicates(), "no receive called back twice");
        byte[] got = receiver.received();
        assertTrue(Arrays.equals(download, got), "the socket received the peer's stream: " + Streams.compare(got, download));
        Peer.Written written = peerWrote.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNull(written.failure(), "the peer's writes failed");

        pair.socket().close();
        Peer.Read read = peerRead.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(read.endedCleanly(), "the peer's stream ended with " + read.failure());
        assertTrue(Arrays.equals(upload, read.bytes()), "the peer received the socket's stream: " + Streams.compare(read.bytes(), upload));
    }

    /** The proxy really carried the streams (so the fault really acted on them). */
    static void assertForwardedBothWays(ProxiedPair pair, long size) {
        assertEquals(size, pair.proxy().forwarded(FaultProxy.Direction.TO_SERVER), "bytes the proxy passed to the peer");
        assertEquals(size, pair.proxy().forwarded(FaultProxy.Direction.TO_CLIENT), "bytes the proxy passed to the socket");
    }

    /**
     * After the connection failed: each new send is refused with NOT_OPEN, or accepted and then completes
     * ABANDONED or ERROR, exactly once; never OK, never without a callback.
     */
    static void newSendsFailWithoutLoss(AsyncSocket socket) throws Exception {
        List<CallbackRecorder> accepted = new ArrayList<>();
        List<CallbackRecorder> refused = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CallbackRecorder recorder = new CallbackRecorder();
            SendSyncResult verdict = socket.sendAsync(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {42})}, recorder, null);
            if (verdict == SendSyncResult.OK) {
                accepted.add(recorder);
            } else {
                assertEquals(SendSyncResult.NOT_OPEN, verdict, "a send after the connection failed");
                refused.add(recorder);
            }
        }
        for (CallbackRecorder recorder : accepted) {
            Enum<?> result = recorder.next().result();
            assertTrue(result == SendResult.ABANDONED || result == SendResult.ERROR,
                    "a send after the connection failed completed " + result);
        }
        socket.close(); // returns once every accepted operation has called back: a second callback would show now
        accepted.forEach(recorder -> assertEquals(1, recorder.count(), "callbacks of an accepted send"));
        refused.forEach(recorder -> assertEquals(0, recorder.count(), "callbacks of a refused send"));
    }

    /** Each new receive is refused, or accepted and completes ABANDONED with 0 bytes, exactly once. */
    static void newReceivesEndWithoutLoss(AsyncSocket socket) throws Exception {
        CallbackRecorder recorder = new CallbackRecorder();
        if (socket.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(16)}, recorder, null) == 0) {
            CallbackRecorder.Callback callback = recorder.next();
            assertEquals(ReceiveResult.ABANDONED, callback.result(), "a receive after the end of the stream");
            assertEquals(0, callback.bytes());
        }
    }
}
