package dev.asyncsocket.examples.fault;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.examples.soak.OperationLedger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends a stream through an {@link AsyncSocket} as many sends of random sizes (1 byte to 32 KiB), each split
 * over 1 to 3 buffers (heap views of the stream, direct copies, read-only views), several in flight at once,
 * and records every call's verdict and every callback.
 */
public final class SocketSender {

    private static final long WAIT_SECONDS = 30;

    /** One callback: which send (numbered from 0 in the order accepted) and its result. */
    public record Completion(int send, SendResult result) {
    }

    /**
     * What happened.
     *
     * @param lengths     bytes of each accepted send, in the order accepted
     * @param completions the callbacks, in the order they ran
     * @param refusedWith the verdict that stopped the sender, or {@code null} if every call was accepted
     */
    public record Outcome(List<Integer> lengths, List<Completion> completions, SendSyncResult refusedWith,
                          OperationLedger ledger) {

        public int accepted() {
            return lengths.size();
        }

        public long count(SendResult result) {
            return completions.stream().filter(c -> c.result() == result).count();
        }

        /** Whether the callbacks ran in the order the sends were accepted (guarantee 3). */
        public boolean completedInOrder() {
            for (int i = 0; i < completions.size(); i++) {
                if (completions.get(i).send() != i) {
                    return false;
                }
            }
            return true;
        }

        /** Whether no send completed OK after one that did not (a failed connection does not recover). */
        public boolean noSuccessAfterFailure() {
            boolean failed = false;
            for (Completion completion : completions) {
                failed |= completion.result() != SendResult.OK;
                if (failed && completion.result() == SendResult.OK) {
                    return false;
                }
            }
            return true;
        }

        /** Bytes of the leading sends that completed OK: what the peer may have been given in full. */
        public long okPrefixBytes() {
            long bytes = 0;
            for (Completion completion : completions) {
                if (completion.result() != SendResult.OK) {
                    break;
                }
                bytes += lengths.get(completion.send());
            }
            return bytes;
        }

        /** Every accepted send called back exactly once, and no refused one called back. */
        public boolean exactlyOnce() {
            return completions.size() == accepted() && ledger.outstanding() == 0 && ledger.duplicates() == 0
                    && ledger.calledWhenRefused() == 0;
        }

        @Override
        public String toString() {
            return String.format("%d accepted (%s), OK %d, ABANDONED %d, ERROR %d, refused with %s",
                    accepted(), ledger, count(SendResult.OK), count(SendResult.ABANDONED), count(SendResult.ERROR),
                    refusedWith);
        }
    }

    private SocketSender() {
    }

    /**
     * Sends {@code data}, keeping at most {@code inFlight} sends outstanding; stops at the first call that is
     * refused. Returns once every accepted send has called back (fails the test if that takes over 30 s).
     */
    public static Outcome send(AsyncSocket socket, byte[] data, long seed, int inFlight) throws InterruptedException {
        Random random = new Random(seed);
        OperationLedger ledger = new OperationLedger();
        Semaphore slots = new Semaphore(inFlight);
        List<Integer> lengths = new ArrayList<>();
        List<Completion> completions = new ArrayList<>();
        SendSyncResult refusedWith = null;
        int offset = 0;
        while (offset < data.length) {
            int length = Math.min(data.length - offset, 1 + random.nextInt(random.nextInt(4) == 0 ? 64 : 32 * 1024));
            ByteBuffer[] payload = split(data, offset, length, random);
            assertTrue(slots.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "no send completed within " + WAIT_SECONDS + " s");
            OperationLedger.Op op = new OperationLedger.Op(lengths.size());
            SendSyncResult verdict = socket.sendAsync(payload, (ctx, result) -> {
                if (ledger.called(ctx)) {
                    synchronized (completions) {
                        completions.add(new Completion((Integer) ctx.attachment, result));
                    }
                    slots.release();
                }
            }, op);
            if (verdict != SendSyncResult.OK) {
                ledger.refused(op);
                slots.release();
                refusedWith = verdict;
                break;
            }
            ledger.accepted(op);
            lengths.add(length);
            offset += length;
        }
        assertTrue(slots.tryAcquire(inFlight, WAIT_SECONDS, TimeUnit.SECONDS),
                "accepted sends still without a callback after " + WAIT_SECONDS + " s: " + ledger);
        synchronized (completions) {
            return new Outcome(List.copyOf(lengths), List.copyOf(completions), refusedWith, ledger);
        }
    }

    /** {@code data[offset, offset + length)} as 1 to 3 buffers of assorted kinds. */
    static ByteBuffer[] split(byte[] data, int offset, int length, Random random) {
        int parts = Math.min(length, 1 + random.nextInt(3));
        ByteBuffer[] buffers = new ByteBuffer[parts];
        int start = offset;
        for (int i = 0; i < parts; i++) {
            int left = offset + length - start;
            int size = i == parts - 1 ? left : 1 + random.nextInt(left - (parts - 1 - i));
            switch (random.nextInt(3)) {
                case 0:
                    buffers[i] = ByteBuffer.wrap(data, start, size);
                    break;
                case 1:
                    buffers[i] = ByteBuffer.allocateDirect(size).put(data, start, size).flip();
                    break;
                default:
                    buffers[i] = ByteBuffer.wrap(data, start, size).asReadOnlyBuffer();
                    break;
            }
            start += size;
        }
        return buffers;
    }
}
