package dev.asyncsocket.examples;

import dev.asyncsocket.examples.pressure.PausingProducer;
import dev.asyncsocket.netty.NettyTransport;
import dev.asyncsocket.netty.SocketCounters;
import dev.asyncsocket.netty.testing.LoopbackPair;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer with far more to send than a peer reads at once (the send side of backpressure): it pauses while
 * the socket is unwritable, so what the process holds queued stays within the high water mark and a chunk.
 */
@DisplayName("A producer that heeds send pressure")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PausingProducerTest {

    private static final int CHUNK = 64 * 1024;
    private static final long TOTAL = 16L << 20;

    @DisplayName("pauses, keeps at most the high mark and a chunk queued, and delivers every byte")
    @ParameterizedTest(name = "on {0}")
    @MethodSource("dev.asyncsocket.netty.testing.Transports#available")
    void pausesAndKeepsTheQueueWithinTheHighMark(NettyTransport kind) throws Exception {
        try (LoopbackPair pair = LoopbackPair.open(kind)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            for (int i = 0; i < CHUNK; i++) {
                chunk.put(i, (byte) (i % 251));
            }
            // Started on the event loop, the first round cannot see a send complete: it stops at the high mark.
            PausingProducer producer = pair.onTheLoop(() -> PausingProducer.start(pair.socket(), chunk, TOTAL));
            long read = readAndCheck(pair.peer().getInputStream());
            assertEquals(TOTAL, producer.done().get(30, TimeUnit.SECONDS));

            SocketCounters counters = pair.socket().counters();
            System.out.printf("%s: %,d bytes in %,d sends, %d pauses, at most %,d bytes queued (high mark %,d)%n",
                    kind, counters.bytesSent(), counters.sendsAccepted(), producer.pauses(), producer.mostQueued(),
                    pair.socket().sendHighWaterMark());
            assertEquals(TOTAL, read);
            assertEquals(TOTAL, counters.bytesSent());
            assertTrue(producer.pauses() >= 1, "the producer paused");
            assertTrue(producer.mostQueued() <= pair.socket().sendHighWaterMark() + CHUNK,
                    "queued at most the high mark and a chunk, not " + producer.mostQueued());
        }
    }

    /** Reads {@link #TOTAL} bytes, each chunk's pattern in place; returns how many came. */
    private static long readAndCheck(InputStream in) throws Exception {
        byte[] buffer = new byte[CHUNK];
        long total = 0;
        while (total < TOTAL) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, TOTAL - total));
            assertTrue(n > 0, "EOF after " + total + " bytes");
            for (int i = 0; i < n; i++) {
                assertEquals((byte) (((total + i) % CHUNK) % 251), buffer[i], "byte " + (total + i));
            }
            total += n;
        }
        return total;
    }
}
