package dev.asyncsocket.netty;

import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.testing.HugeBuffers;
import dev.asyncsocket.netty.testing.CallbackRecorder;
import dev.asyncsocket.netty.testing.LoopbackPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Every bad input of the contract: the documented failure result, no exception, no callback. */
class BadInputTest {

    private static final ByteBuffer ONE = ByteBuffer.allocate(1);
    private static LoopbackPair pair;
    private final CallbackRecorder recorder = new CallbackRecorder();

    @BeforeAll
    static void openSocket() throws Exception {
        pair = LoopbackPair.open(NettyTransport.NIO);
    }

    @AfterAll
    static void closeSocket() throws Exception {
        pair.close();
    }

    static Stream<Arguments> badPayloads() {
        return Stream.of(
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_025
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_074
                Arguments.of("a null array", null),
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_085
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_086
                Arguments.of("an empty array", new ByteBuffer[0]),
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_089
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_091
                Arguments.of("a null buffer", new ByteBuffer[] {ONE, null}),
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_090
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_092
                Arguments.of("a buffer with nothing remaining", new ByteBuffer[] {ONE, ByteBuffer.allocate(4).position(4)}),
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_101
                // Tests_SRS_ASYNC_SOCKET_WIN32_01_096
                Arguments.of("more than UINT32_MAX bytes in all", HugeBuffers.views(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void aBadPayloadFailsTheSendWithErrorAndCallsNothing(String what, ByteBuffer[] payload) {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_029
        assertEquals(SendSyncResult.ERROR, pair.socket().sendAsync(payload, recorder, null), what);
        assertEquals(0, recorder.count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void aBadPayloadFailsTheReceiveWithNonZeroAndCallsNothing(String what, ByteBuffer[] payload) {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_084
        assertNotEquals(0, pair.socket().receiveAsync(payload, recorder, null), what);
        assertEquals(0, recorder.count());
    }

    @Test
    void aNullCallbackFailsTheCall() {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_026
        assertEquals(SendSyncResult.ERROR, pair.socket().sendAsync(new ByteBuffer[] {ONE}, null, null));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_075
        assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, null, null));
    }

    @Test
    void aReadOnlyBufferFailsAReceive() {
        assertNotEquals(0, pair.socket().receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1).asReadOnlyBuffer()},
                recorder, null));
        assertEquals(0, recorder.count());
    }

    @Test
    void callsOnASocketThatIsNotOpenFailWithNotOpen() {
        NettyAsyncSocket closed = NettyAsyncSocket.create(pair.engine());
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_097
        assertEquals(SendSyncResult.NOT_OPEN, closed.sendAsync(new ByteBuffer[] {ONE}, recorder, null));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_098
        assertNotEquals(0, closed.receiveAsync(new ByteBuffer[] {ByteBuffer.allocate(1)}, recorder, null));
        closed.destroy();
        assertEquals(0, recorder.count());
    }

    @Test
    void badInputIsJudgedBeforeTheSocketsState() {
        NettyAsyncSocket closed = NettyAsyncSocket.create(pair.engine());
        assertEquals(SendSyncResult.ERROR, closed.sendAsync(null, recorder, null));
        closed.destroy();
    }
}
