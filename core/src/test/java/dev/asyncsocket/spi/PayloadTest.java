package dev.asyncsocket.spi;

import dev.asyncsocket.testing.HugeBuffers;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadTest {

    private static final ByteBuffer ONE_BYTE = ByteBuffer.allocate(1);

    @Test
    void aGoodPayloadTotalsTheRemainingBytesOfEveryBuffer() {
        ByteBuffer partlyRead = ByteBuffer.allocate(10).position(4);
        ByteBuffer direct = ByteBuffer.allocateDirect(7).limit(5);
        assertEquals(11, Payload.sendTotal(new ByteBuffer[] {partlyRead, direct}));
        assertEquals(11, Payload.receiveTotal(new ByteBuffer[] {partlyRead, direct}));
        assertEquals(4, partlyRead.position(), "checking never moves a buffer");
    }

    @Test
    void aNullArrayIsBadInput() {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_025
        assertEquals(Payload.INVALID, Payload.sendTotal(null));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_074
        assertEquals(Payload.INVALID, Payload.receiveTotal(null));
    }

    @Test
    void anEmptyArrayIsBadInput() {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_085
        assertEquals(Payload.INVALID, Payload.sendTotal(new ByteBuffer[0]));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_086
        assertEquals(Payload.INVALID, Payload.receiveTotal(new ByteBuffer[0]));
    }

    @Test
    void aNullBufferAnywhereInTheArrayIsBadInput() {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_089
        assertEquals(Payload.INVALID, Payload.sendTotal(new ByteBuffer[] {ONE_BYTE, null}));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_091
        assertEquals(Payload.INVALID, Payload.receiveTotal(new ByteBuffer[] {null, ONE_BYTE}));
    }

    @Test
    void aBufferWithNothingRemainingIsBadInput() {
        ByteBuffer consumed = ByteBuffer.allocate(8).position(8);
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_090
        assertEquals(Payload.INVALID, Payload.sendTotal(new ByteBuffer[] {ONE_BYTE, consumed}));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_092
        assertEquals(Payload.INVALID, Payload.receiveTotal(new ByteBuffer[] {ByteBuffer.allocate(0)}));
    }

    @Test
    void moreThanUint32MaxBytesInAllIsBadInputButExactlyUint32MaxIsNot() {
        ByteBuffer[] huge = HugeBuffers.views(3); // 3 x (2^31 - 1) bytes
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_101
        assertEquals(Payload.INVALID, Payload.sendTotal(huge));
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_096
        assertEquals(Payload.INVALID, Payload.receiveTotal(huge));

        huge[2].limit(1); // (2^31 - 1) * 2 + 1 = UINT32_MAX
        assertEquals(Payload.MAX_TOTAL_BYTES, Payload.sendTotal(huge));
        assertEquals(Payload.MAX_TOTAL_BYTES, Payload.receiveTotal(huge));
    }

    @Test
    void aReadOnlyBufferIsBadInputForAReceiveOnly() {
        ByteBuffer readOnly = ByteBuffer.allocate(4).asReadOnlyBuffer();
        assertEquals(4, Payload.sendTotal(new ByteBuffer[] {readOnly}));
        assertEquals(Payload.INVALID, Payload.receiveTotal(new ByteBuffer[] {ONE_BYTE, readOnly}));
    }

    @Test
    void aContextLargerThanUint32MaxBytesIsRefused() {
        // Tests_SRS_ASYNC_SOCKET_WIN32_01_103
        long mostBuffers = (Payload.MAX_TOTAL_BYTES - Payload.CONTEXT_HEADER_BYTES) / Payload.CONTEXT_BYTES_PER_BUFFER;
        assertTrue(Payload.contextFits(1));
        assertTrue(Payload.contextFits(mostBuffers));
        assertFalse(Payload.contextFits(mostBuffers + 1));
        assertFalse(Payload.contextFits(Integer.MAX_VALUE));
    }
}
