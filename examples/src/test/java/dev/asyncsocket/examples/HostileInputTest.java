package dev.asyncsocket.examples;

import dev.asyncsocket.NotifyIoType;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.LoopbackPair;
import dev.asyncsocket.netty.testing.Transports;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad input the contract names, and hostile uses it does not forbid in so many words: each gets its
 * documented result, never an exception out of the API, never a lost or extra callback, and the socket
 * works on afterwards. What the contract leaves to the implementation (a buffer changed after it was lent,
 * the same buffer posted twice) is pinned down here as observed, so that a change in it shows.
 */
@DisplayName("Hostile input")
class HostileInputTest {

    /** What a call must come to. */
    private enum Verdict { SEND_ERROR, SEND_NOT_OPEN, REFUSED, ACCEPTED }

    /** One row of the table: a call made on an open pair's socket with a fresh recorder as its callback. */
    private record Row(String name, Verdict verdict, BiFunction<LoopbackPair, CallbackRecorder, Object> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final int MIB = 1 << 20;

    /** 4,097 views of one 1 MiB buffer: 4,296,015,872 bytes in all, over UINT32_MAX (4,294,967,295). */
    private static ByteBuffer[] overFourGiB() {
        ByteBuffer shared = ByteBuffer.allocate(MIB);
        ByteBuffer[] views = new ByteBuffer[4097];
        for (int i = 0; i < views.length; i++) {
            views[i] = shared.duplicate();
        }
        return views;
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuffer nothingRemaining() {
        ByteBuffer buffer = ByteBuffer.allocate(8);
        buffer.position(8);
        return buffer;
    }

    static List<Row> rows() {
        return List.of(
                // SRS 01_025
                new Row("send: a null array", Verdict.SEND_ERROR, (p, r) -> p.socket().sendAsync(null, r, null)),
                // SRS 01_085
                new Row("send: an empty array", Verdict.SEND_ERROR, (p, r) -> p.socket().sendAsync(new ByteBuffer[0], r, null)),
                // SRS 01_089
                new Row("send: a null buffer after a good one", Verdict.SEND_ERROR,
                        (p, r) -> p.socket().sendAsync(new ByteBuffer[] {bytes("ok"), null}, r, null)),
                // SRS 01_090
                new Row("send: a buffer with nothing remaining", Verdict.SEND_ERROR,
                        (p, r) -> p.socket().sendAsync(new ByteBuffer[] {bytes("ok"), nothingRemaining()}, r, null)),
                // SRS 01_101
                new Row("send: over 4,294,967,295 bytes in views of one buffer", Verdict.SEND_ERROR,
                        (p, r) -> p.socket().sendAsync(overFourGiB(), r, null)),
                // SRS 01_026
                new Row("send: a null callback", Verdict.SEND_ERROR, (p, r) -> p.socket().sendAsync(new ByteBuffer[] {bytes("ok")}, null, null)),
                // SRS 01_074
                new Row("receive: a null array", Verdict.REFUSED, (p, r) -> p.socket().receiveAsync(null, r, null)),
                // SRS 01_086
                new Row("receive: an empty array", Verdict.REFUSED, (p, r) -> p.socket().receiveAsync(new ByteBuffer[0], r, null)),
                // SRS 01_091
                new Row("receive: a null buffer after a good one", Verdict.REFUSED,
                        (p, r) -> p.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4), null}, r, null)),
                // SRS 01_092
                new Row("receive: a full buffer", Verdict.REFUSED,
                        (p, r) -> p.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4), nothingRemaining()}, r, null)),
                // SRS 01_096
                new Row("receive: over 4,294,967,295 bytes in views of one buffer", Verdict.REFUSED,
                        (p, r) -> p.socket().receiveAsync(overFourGiB(), r, null)),
                // SRS 01_075
                new Row("receive: a null callback", Verdict.REFUSED,
                        (p, r) -> p.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4)}, null, null)),
                new Row("receive: a read-only buffer after a writable one", Verdict.REFUSED,
                        (p, r) -> p.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(4), ByteBuffer.allocate(4).asReadOnlyBuffer()}, r, null)),
                // SRS 01_034
                new Row("open: a null transport", Verdict.REFUSED, (p, r) -> openOnFreshSocket(p, null, r)),
                // SRS 01_008
                new Row("open: a null callback", Verdict.REFUSED, HostileInputTest::openWithNullCallback),
                // SRS 01_015
                new Row("open: a socket that is already open", Verdict.REFUSED, (p, r) -> p.socket().openAsync(p.transport(), r, null)),
                // SRS 04_002
                new Row("notify: IN", Verdict.REFUSED, (p, r) -> p.socket().notifyIoAsync(NotifyIoType.IN, (c, x) -> r.onSendComplete(c, null), null)),
                new Row("notify: a null type and callback", Verdict.REFUSED, (p, r) -> p.socket().notifyIoAsync(null, null, null)),
                new Row("send: a read-only buffer is fine", Verdict.ACCEPTED,
                        (p, r) -> p.socket().sendAsync(new ByteBuffer[] {bytes("ro").asReadOnlyBuffer()}, r, null)),
                // SRS 01_027
                new Row("send: a null context is fine", Verdict.ACCEPTED, (p, r) -> p.socket().sendAsync(new ByteBuffer[] {bytes("nc")}, r, null)),
                // SRS 01_076
                new Row("receive: a null context is fine", Verdict.ACCEPTED,
                        (p, r) -> p.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, r, null)));
    }

    /** A fresh socket's open, the socket destroyed right after (so the engine's count comes back). */
    private static Object openOnFreshSocket(LoopbackPair pair, dev.asyncsocket.SocketTransport transport, CallbackRecorder recorder) {
        NettyAsyncSocket socket = NettyAsyncSocket.create(pair.engine());
        try {
            return socket.openAsync(transport, recorder, null);
        } finally {
            socket.destroy();
        }
    }

    /** An open with no callback, on a fresh socket and a fresh, unused transport. */
    private static Object openWithNullCallback(LoopbackPair pair, CallbackRecorder unused) {
        try (LoopbackPair.Connected fresh = pair.connectAgain()) {
            Object result = openOnFreshSocket(pair, fresh.transport(), null);
            assertTrue(fresh.transport().channel().isActive(), "a refused open leaves the transport open, with the caller");
            return result;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Arguments> everyRowOnEveryTransport() {
        return Transports.available().flatMap(kind -> rows().stream().map(row -> Arguments.of(kind, row)));
    }

    @DisplayName("gets its documented result, no stray callback, and the socket works on")
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyRowOnEveryTransport")
    void getsItsDocumentedResultAndTheSocketWorksOn(NettyTransport kind, Row row) throws Exception {
        // The table's rows prove, on every transport (one row each, see rows()):
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_025 Tests_SRS_ASYNC_SOCKET_WIN32_01_085 Tests_SRS_ASYNC_SOCKET_WIN32_01_089
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_090 Tests_SRS_ASYNC_SOCKET_WIN32_01_101 Tests_SRS_ASYNC_SOCKET_WIN32_01_026
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_074 Tests_SRS_ASYNC_SOCKET_WIN32_01_086 Tests_SRS_ASYNC_SOCKET_WIN32_01_091
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_092 Tests_SRS_ASYNC_SOCKET_WIN32_01_096 Tests_SRS_ASYNC_SOCKET_WIN32_01_075
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_034 Tests_SRS_ASYNC_SOCKET_WIN32_01_008 Tests_SRS_ASYNC_SOCKET_WIN32_01_015
        // Tests_SRS_ASYNC_SOCKET_WIN32_04_002 Tests_SRS_ASYNC_SOCKET_WIN32_01_027 Tests_SRS_ASYNC_SOCKET_WIN32_01_076
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            CallbackRecorder recorder = new CallbackRecorder();
            Object result = row.call().apply(pair, recorder);
            switch (row.verdict()) {
                case SEND_ERROR:
                    assertEquals(SendSyncResult.ERROR, result);
                    break;
                case REFUSED:
                    assertNotEquals(0, result);
                    break;
                case ACCEPTED:
                    assertTrue(result == SendSyncResult.OK || Integer.valueOf(0).equals(result), "accepted: " + result);
                    break;
                default:
                    throw new AssertionError(row.verdict());
            }
            if (row.name().startsWith("receive") && row.verdict() == Verdict.ACCEPTED) {
                pair.peerWrite(new byte[] {7}); // the accepted receive takes this byte
                assertEquals(ReceiveResult.OK, recorder.next().result());
            } else if (row.verdict() == Verdict.ACCEPTED) {
                assertEquals(SendResult.OK, recorder.next().result());
                pair.peerRead(2);
            }
            roundTrip(pair);
            pair.socket().close(); // returns once every accepted operation has called back
            assertEquals(row.verdict() == Verdict.ACCEPTED ? 1 : 0, recorder.count(), "callbacks: " + recorder.all());
        }
    }

    /** The socket still sends and receives. */
    private static void roundTrip(LoopbackPair pair) throws Exception {
        CallbackRecorder sent = new CallbackRecorder();
        assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {bytes("abc")}, sent, null));
        assertEquals(SendResult.OK, sent.next().result());
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), pair.peerRead(3));
        ByteBuffer into = ByteBuffer.allocate(3);
        receiveFully(pair, into, "xyz".getBytes(StandardCharsets.US_ASCII));
    }

    private static void receiveFully(LoopbackPair pair, ByteBuffer into, byte[] expected) throws Exception {
        pair.peerWrite(expected);
        while (into.hasRemaining()) {
            CallbackRecorder received = new CallbackRecorder();
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {into}, received, null));
            assertEquals(ReceiveResult.OK, received.next().result());
        }
        assertArrayEquals(expected, into.array());
    }

    // ------------------------------------------------------------------------------------ hostile behaviour

    @DisplayName("a buffer changed after its send was accepted: the peer gets the length given at the call and the"
            + " contents as they are when the event loop writes")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void aBufferChangedAfterItsSendWasAcceptedSendsTheContentsAtWriteTime(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(8) : ByteBuffer.allocate(8);
                buffer.put("AAAAAAAA".getBytes(StandardCharsets.US_ASCII)).flip();
                CallbackRecorder sent = new CallbackRecorder();
                CountDownLatch release = holdEventLoop(pair);
                try {
                    assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {buffer}, sent, null));
                    // Breaking the lending rule: new contents, and a limit cut to 2 bytes.
                    buffer.clear();
                    buffer.put("BBBBBBBB".getBytes(StandardCharsets.US_ASCII));
                    buffer.position(0).limit(2);
                } finally {
                    release.countDown();
                }
                assertEquals(SendResult.OK, sent.next().result());
                assertEquals("BBBBBBBB", new String(pair.peerRead(8), StandardCharsets.US_ASCII),
                        (direct ? "direct" : "heap") + ": what the peer sees");
                assertEquals(1, sent.count());
            }
        }
    }

    /** Blocks the socket's event loop until the returned latch is counted down; returns once it is blocked. */
    private static CountDownLatch holdEventLoop(LoopbackPair pair) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pair.transport().channel().eventLoop().execute(() -> {
            held.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS), "the event loop did not run the blocking task");
        return release;
    }

    @DisplayName("100,000 one-byte buffers go out as one send, in order, and come in through one-byte buffers in order")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void aHundredThousandOneByteBuffersWorkBothWays(NettyTransport kind) throws Exception {
        byte[] pattern = new byte[100_000];
        new java.util.Random(5).nextBytes(pattern);
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            ByteBuffer[] out = new ByteBuffer[pattern.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = ByteBuffer.wrap(pattern, i, 1);
            }
            CallbackRecorder sent = new CallbackRecorder();
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(out, sent, null));
            assertArrayEquals(pattern, pair.peerRead(pattern.length));
            assertEquals(SendResult.OK, sent.next().result());

            byte[] landing = new byte[pattern.length];
            pair.peerWrite(pattern);
            int filled = 0;
            while (filled < landing.length) {
                ByteBuffer[] in = new ByteBuffer[landing.length - filled];
                for (int i = 0; i < in.length; i++) {
                    in[i] = ByteBuffer.wrap(landing, filled + i, 1);
                }
                CallbackRecorder received = new CallbackRecorder();
                assertEquals(0, pair.socket().receiveAsync(in, received, null));
                CallbackRecorder.Callback callback = received.next();
                assertEquals(ReceiveResult.OK, callback.result());
                for (int i = 0; i < in.length; i++) {
                    assertEquals(i < callback.bytes() ? 1 : 0, in[i].position() - (filled + i), "buffer " + i + " filled in order");
                }
                filled += callback.bytes();
            }
            assertArrayEquals(pattern, landing);
        }
    }

    @DisplayName("the same buffer twice in one receive is filled once; the bytes beyond wait for the next receive")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void theSameBufferTwiceInOneReceiveIsFilledOnce(NettyTransport kind) throws Exception {
        byte[] sixteen = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            ByteBuffer twice = ByteBuffer.allocate(8);
            pair.peerWrite(sixteen);
            CallbackRecorder received = new CallbackRecorder();
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {twice, twice}, received, null));
            CallbackRecorder.Callback first = received.next();
            assertEquals(ReceiveResult.OK, first.result());
            assertTrue(first.bytes() >= 1 && first.bytes() <= 8, "at most the buffer's room, once: " + first.bytes());
            assertEquals(first.bytes(), twice.position());
            ByteBuffer rest = ByteBuffer.allocate(16 - first.bytes());
            receiveRest(pair, rest);
            byte[] all = new byte[16];
            System.arraycopy(twice.array(), 0, all, 0, first.bytes());
            System.arraycopy(rest.array(), 0, all, first.bytes(), rest.capacity());
            assertArrayEquals(sixteen, all, "nothing lost, nothing repeated");
        }
    }

    @DisplayName("the same buffer in two pending receives: the second gets what room the first left, or, with"
            + " none left, ERROR with 0 bytes; nothing is lost")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void theSameBufferInTwoPendingReceivesLosesNothing(NettyTransport kind) throws Exception {
        byte[] sixteen = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            ByteBuffer shared = ByteBuffer.allocate(8);
            CallbackRecorder received = new CallbackRecorder();
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {shared}, received, "first"));
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {shared}, received, "second"));
            pair.peerWrite(sixteen);
            List<CallbackRecorder.Callback> both = received.next(2);
            assertEquals(List.of("first", "second"), List.of(both.get(0).context(), both.get(1).context()), "in the order posted");
            assertEquals(ReceiveResult.OK, both.get(0).result());
            CallbackRecorder.Callback second = both.get(1);
            assertTrue(second.result() == ReceiveResult.OK ? second.bytes() > 0
                    : second.result() == ReceiveResult.ERROR && second.bytes() == 0, "the second: " + second);
            int got = both.get(0).bytes() + second.bytes();
            assertTrue(both.get(0).bytes() >= 1 && got <= 8, "the two share the buffer's 8 bytes of room: " + both);
            ByteBuffer rest = ByteBuffer.allocate(16 - got);
            receiveRest(pair, rest);
            byte[] all = new byte[16];
            System.arraycopy(shared.array(), 0, all, 0, got);
            System.arraycopy(rest.array(), 0, all, got, rest.capacity());
            assertArrayEquals(sixteen, all, "nothing lost, nothing repeated");
        }
    }

    private static void receiveRest(LoopbackPair pair, ByteBuffer rest) throws Exception {
        while (rest.hasRemaining()) {
            CallbackRecorder more = new CallbackRecorder();
            assertEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {rest}, more, null));
            assertEquals(ReceiveResult.OK, more.next().result());
        }
    }

    @DisplayName("a transport used twice is refused while another socket holds it, and after, and stays the caller's")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void aTransportUsedTwiceIsRefused(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            NettyAsyncSocket second = NettyAsyncSocket.create(pair.engine());
            try {
                CallbackRecorder refused = new CallbackRecorder();
                assertNotEquals(0, second.openAsync(pair.transport(), refused, null), "in use by an open socket");
                roundTrip(pair); // the first socket is untouched
                pair.socket().close();
                assertNotEquals(0, second.openAsync(pair.transport(), refused, null), "its channel is closed now");
                second.close();
                assertEquals(0, refused.count());
            } finally {
                second.destroy();
            }
        }
    }

    @DisplayName("calls after destroy fail as on a closed socket, call nothing back, and a second destroy does nothing")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void callsAfterDestroyFailAndASecondDestroyDoesNothing(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind);
             LoopbackPair.Connected fresh = pair.connectAgain()) {
            int references = pair.engine().refCount();
            pair.socket().destroy();
            assertEquals(references - 1, pair.engine().refCount(), "destroy released the engine once");
            CallbackRecorder recorder = new CallbackRecorder();
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_097
            assertEquals(SendSyncResult.NOT_OPEN, pair.socket().sendAsync(new ByteBuffer[] {bytes("x")}, recorder, null));
            // Tests_SRS_ASYNC_SOCKET_WIN32_01_098
            assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
            assertNotEquals(0, pair.socket().openAsync(fresh.transport(), recorder, null), "a destroyed socket does not open");
            pair.socket().close();
            pair.socket().destroy();
            assertEquals(references - 1, pair.engine().refCount(), "a second destroy released nothing more");
            assertEquals(0, recorder.count(), "callbacks: " + recorder.all());
            assertTrue(fresh.transport().channel().isActive(), "the refused transport is still the caller's, open");
            NettyAsyncSocket other = NettyAsyncSocket.create(pair.engine());
            try {
                CallbackRecorder opened = new CallbackRecorder();
                assertEquals(0, other.openAsync(fresh.transport(), opened, null), "another socket can take it");
                assertEquals(OpenResult.OK, opened.next().result());
            } finally {
                other.destroy();
            }
        }
    }

    @DisplayName("close before open returns and changes nothing: the socket opens and works after it")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void closeBeforeOpenChangesNothing(NettyTransport kind) throws Exception {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_022
        try (LoopbackPair pair = LoopbackPair.connected(kind)) {
            pair.socket().close();
            pair.socket().close();
            CallbackRecorder opened = new CallbackRecorder();
            assertEquals(0, pair.socket().openAsync(pair.transport(), opened, null));
            assertEquals(OpenResult.OK, opened.next().result());
            roundTrip(pair);
        }
    }

    @DisplayName("a callback that throws breaks neither the socket nor the next operation's completion")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void aCallbackThatThrowsBreaksNothing(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            CallbackRecorder next = new CallbackRecorder();
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {bytes("1")},
                    (ctx, result) -> {
                        throw new IllegalStateException("a hostile callback");
                    }, null));
            assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {bytes("2")}, next, null));
            assertEquals(SendResult.OK, next.next().result());
            assertArrayEquals("12".getBytes(StandardCharsets.US_ASCII), pair.peerRead(2));
            roundTrip(pair);
        }
    }

    @DisplayName("a receive of more than 2 GiB in all (views of one buffer, under 4 GiB) is accepted and filled in order")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void aReceiveOfMoreThanTwoGiBIsAccepted(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            ByteBuffer shared = ByteBuffer.allocate(MIB);
            ByteBuffer[] views = new ByteBuffer[2049]; // 2,148,532,224 bytes: past Integer.MAX_VALUE
            for (int i = 0; i < views.length; i++) {
                views[i] = shared.duplicate();
            }
            CallbackRecorder received = new CallbackRecorder();
            assertEquals(0, pair.socket().receiveAsync(views, received, null));
            pair.peerWrite(bytes("abc").array());
            CallbackRecorder.Callback callback = received.next();
            assertEquals(ReceiveResult.OK, callback.result());
            assertTrue(callback.bytes() >= 1 && callback.bytes() <= 3);
            assertEquals(callback.bytes(), views[0].position(), "the first buffer is filled first");
        }
    }

    // Bug 1 of docs/found-bugs.md (fixed in 3fb3ca9): sendAsync threw, then destroy() hung forever.
    @DisplayName("a send of more than 2 GiB in all (views of one buffer, under 4 GiB) returns a result, never throws,"
            + " and the socket can still be destroyed")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung destroy ignores interrupts
    void aSendOfMoreThanTwoGiBReturnsAResultAndNeverThrows(NettyTransport kind) throws Exception {
        LoopbackPair pair = LoopbackPair.open(kind);
        ByteBuffer shared = ByteBuffer.allocate(MIB);
        ByteBuffer[] views = new ByteBuffer[2049]; // 2,148,532,224 bytes: valid (<= UINT32_MAX), over Integer.MAX_VALUE
        for (int i = 0; i < views.length; i++) {
            views[i] = shared.duplicate();
        }
        CallbackRecorder sent = new CallbackRecorder();
        Throwable thrown = null;
        SendSyncResult result = null;
        try {
            result = pair.socket().sendAsync(views, sent, null);
        } catch (Throwable t) {
            thrown = t;
        }
        // Whatever happened, the socket must still let go: destroy from another thread, bounded.
        Thread destroyer = new Thread(pair.socket()::destroy, "destroyer");
        destroyer.setDaemon(true);
        destroyer.start();
        destroyer.join(10_000);
        boolean destroyed = !destroyer.isAlive();
        if (destroyed) {
            pair.close(); // else the engine and its threads stay: that is the bug
        }
        assertNull(thrown, "sendAsync threw");
        assertTrue(destroyed, "destroy() hangs");
        assertTrue(result == SendSyncResult.OK || result == SendSyncResult.ERROR, String.valueOf(result));
        assertEquals(result == SendSyncResult.OK ? 1 : 0, sent.count(), "callbacks: " + sent.all());
    }
}
