package dev.asyncsocket.netty.testing;

import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.SendSyncResult;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sends queued behind a peer that does not read: {@link #COUNT} sends of {@link #CHUNK} bytes, made in one
 * task on the socket's event loop so that none completes before the last is accepted. They total more than
 * loopback's socket buffers can hold (tcp_wmem's 4 MiB and tcp_rmem's 32 MiB at most), so tens of MiB stay
 * queued until the peer reads. The sends share one direct buffer, lent, not copied.
 */
public final class StalledPeer {

    public static final int CHUNK = 64 * 1024;
    public static final int COUNT = 1024;
    public static final long TOTAL = (long) CHUNK * COUNT;

    private StalledPeer() {
    }

    /**
     * Makes the sends, each marked as inside {@code sendAsync} for {@code told}; returns, for each, whether
     * the socket was writable right after it returned.
     */
    public static boolean[] queueSends(LoopbackPair pair, WritabilityRecorder told, OnSendComplete<Object> onComplete)
            throws Exception {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        return pair.onTheLoop(() -> {
            boolean[] writableAfter = new boolean[COUNT];
            told.sending(() -> {
                for (int i = 0; i < COUNT; i++) {
                    assertEquals(SendSyncResult.OK, pair.socket().sendAsync(new ByteBuffer[] {chunk}, onComplete, i));
                    writableAfter[i] = pair.socket().isWritable();
                }
            });
            return writableAfter;
        });
    }
}
