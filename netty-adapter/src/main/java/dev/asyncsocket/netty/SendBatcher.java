package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;

/**
 * Sends of one connection small enough to copy (fewer bytes than the copy threshold), that the event loop
 * starts one after the other: copied into one direct buffer of Netty's pooled allocator, the batch, and
 * written together, whose outcome the batch's last send settles them all with. One outbound entry and one
 * iovec thus carry a burst of small sends, under the connection's one promise. Only while the socket's
 * handler is alone in the channel's pipeline: any other handler (a codec that frames each write, TLS) sees
 * each send as a write of its own.
 *
 * <p>Invariants: at most one batch is open; a batch never holds more than {@link #MAX_BATCH_BYTES} (a send that
 * does not fit writes it and opens the next), so that many producers cannot build one giant buffer; its buffer
 * starts small and grows by doubling, so that a peer that reads slowly cannot make small sends pin much more
 * memory than they carry (at most twice, or 1 KiB). The connection writes the
 * open batch before anything else it writes or completes, and the batch goes out below every handler (its
 * sends started while there was none). Event loop only.
 */
final class SendBatcher {

    /**
     * The most bytes one batch holds, and the buffer it is copied into: a burst beyond it leaves as several
     * writes. Also the largest copy threshold.
     */
    static final int MAX_BATCH_BYTES = 16 * 1024;
    /**
     * What a batch's buffer holds at first; it grows, as Netty's buffers do, up to {@link #MAX_BATCH_BYTES}.
     * Small, because the allocator turns over its chunks faster the larger what it hands out.
     */
    private static final int FIRST_CAPACITY = 1024;

    private final Channel channel;
    /** The promise the batches are written under while the socket's handler is alone in the pipeline. */
    private final StraightWrites straightWrites;
    /** Sends of fewer bytes than this are copied; 0 copies none. */
    private final int copyBelow;
    /** The open batch, or {@code null}. */
    private ByteBuf batch;
    /** The last send of the open batch; {@code null} when none is open. */
    private SendOperation<?> last;
    private boolean writing;

    SendBatcher(Channel channel, StraightWrites straightWrites, int copyBelow) {
        this.channel = channel;
        this.straightWrites = straightWrites;
        this.copyBelow = copyBelow;
    }

    /**
     * Copies {@code send} into the open batch (opening one if needed) if it is small enough to copy.
     *
     * @return {@code false} if it is not: nothing was done
     * @throws RuntimeException what reading the caller's memory threw; the batch is as it was before
     */
    boolean add(SendOperation<?> send) {
        int bytes = send.bytesInOneWrite();
        if (bytes < 0 || bytes >= copyBelow || !TailHandler.isAloneIn(channel.pipeline())) {
            return false;
        }
        if (batch != null && batch.maxWritableBytes() < bytes) {
            write();
        }
        if (batch == null) {
            // Netty's pooled allocator, whatever the channel's: its buffers and thread caches are recycled on an
            // event loop, whereas the default adaptive one turned over a chunk every 16 or so small batches
            // (about 55 B of int[] and chunk objects per send in AllocationCensus).
            batch = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(bytes, FIRST_CAPACITY), MAX_BATCH_BYTES);
        }
        int end = batch.writerIndex();
        try {
            send.copyInto(batch, last);
        } catch (RuntimeException | Error e) {
            batch.writerIndex(end); // what the send copied before it failed is not sent
            throw e;
        }
        last = send;
        return true;
    }

    /**
     * Writes the open batch, if any, as one write whose outcome its last send settles the batch with, straight to
     * the transport (through no handler, as when its sends started): under the connection's
     * {@link StraightWrites} while the socket's handler is still alone, else with a promise of its own.
     */
    void write() {
        ByteBuf full = batch;
        SendOperation<?> closing = last;
        batch = null;
        last = null;
        if (closing == null) {
            if (full != null) {
                full.release(); // its only send failed to copy
            }
            return;
        }
        writing = true;
        try {
            // Its sends started while the socket's handler was alone, when a write of their own would have gone
            // straight to the transport: a handler added since (TLS that a callback adds right after its answer
            // to STARTTLS) must not see them. So the batch goes out below every handler.
            closing.closeBatch(full);
            if (TailHandler.isAloneIn(channel.pipeline())) {
                straightWrites.write(full, closing);
            } else {
                // Not under the shared promise: a handler in front may flush or close inside the write (as
                // FlushConsolidationHandler flushes when the channel turns unwritable), completing older writes
                // before the call returns, whose outcomes StraightWrites would take for this one's.
                StraightWrites.writeBelowEveryHandler(channel, full, closing.ownWrite());
            }
        } finally {
            writing = false;
        }
    }

    /** Whether a batch is being handed to the channel right now (its write may fail at once). */
    boolean isWriting() {
        return writing;
    }

    /** After the event loop ended: forgets the open batch, never written (its sends complete ABANDONED). */
    void discard() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
        last = null;
    }
}
