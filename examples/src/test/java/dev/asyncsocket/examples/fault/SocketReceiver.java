package dev.asyncsocket.examples.fault;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.examples.soak.OperationLedger;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Receives everything an {@link AsyncSocket} gets, one receive at a time, posting the next from inside each
 * completion, into 1 to 3 buffers of random sizes and kinds (heap or direct, starting at a random position).
 * It checks each completion against the contract as it goes: OK has at least one byte and exactly the bytes
 * it reports (each buffer filled in order from its position), ABANDONED and ERROR have none. The chain ends
 * at the first completion that is not OK, or if a post is refused.
 */
public final class SocketReceiver {

    private final AsyncSocket socket;
    private final Random random;
    private final OperationLedger ledger = new OperationLedger();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final List<String> violations = new ArrayList<>();
    private final CompletableFuture<ReceiveResult> ended = new CompletableFuture<>();
    private int completions;

    /** The buffers of one receive and their positions when it was posted. */
    private record Posted(ByteBuffer[] buffers, int[] starts) {
    }

    private SocketReceiver(AsyncSocket socket, long seed) {
        this.socket = socket;
        this.random = new Random(seed);
    }

    /** Starts receiving; the first post must be accepted. */
    public static SocketReceiver start(AsyncSocket socket, long seed) {
        SocketReceiver receiver = new SocketReceiver(socket, seed);
        if (!receiver.post()) {
            throw new AssertionError("the first receive was refused");
        }
        return receiver;
    }

    /**
     * The result that ended the chain (ABANDONED or ERROR), or {@code null} if a post was refused; fails if
     * the chain has not ended within {@code seconds}.
     */
    public ReceiveResult awaitEnd(long seconds) throws InterruptedException, ExecutionException {
        try {
            return ended.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the receives did not end within " + seconds + " s; got " + received().length
                    + " bytes in " + completions + " completions");
        }
    }

    public CompletableFuture<ReceiveResult> ended() {
        return ended;
    }

    public synchronized byte[] received() {
        return received.toByteArray();
    }

    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    public OperationLedger ledger() {
        return ledger;
    }

    private boolean post() {
        int count = 1 + random.nextInt(3);
        ByteBuffer[] buffers = new ByteBuffer[count];
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            int size = 1 + random.nextInt(16 * 1024);
            int offset = random.nextInt(8);
            ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocate(offset + size) : ByteBuffer.allocateDirect(offset + size);
            buffer.position(offset);
            buffers[i] = buffer;
            starts[i] = offset;
        }
        OperationLedger.Op op = new OperationLedger.Op(new Posted(buffers, starts));
        if (socket.receiveAsync(buffers, this::onReceived, op) != 0) {
            ledger.refused(op);
            ended.complete(null);
            return false;
        }
        ledger.accepted(op);
        return true;
    }

    private void onReceived(OperationLedger.Op op, ReceiveResult result, int bytes) {
        if (!ledger.called(op)) {
            violation("a second callback for one receive");
            return;
        }
        Posted posted = (Posted) op.attachment;
        synchronized (this) {
            completions++;
            int copied = 0;
            boolean gap = false;
            for (int i = 0; i < posted.buffers().length; i++) {
                ByteBuffer buffer = posted.buffers()[i];
                int got = buffer.position() - posted.starts()[i];
                if (got > 0 && gap) {
                    violation("bytes in buffer " + i + " after a buffer that was not filled");
                }
                gap |= buffer.hasRemaining();
                ByteBuffer view = buffer.duplicate();
                view.flip().position(posted.starts()[i]);
                byte[] chunk = new byte[got];
                view.get(chunk);
                received.write(chunk, 0, got);
                copied += got;
            }
            if (copied != bytes) {
                violation(result + " reported " + bytes + " bytes but wrote " + copied);
            }
            if (result == ReceiveResult.OK && bytes <= 0) {
                violation("OK with " + bytes + " bytes");
            }
            if (result != ReceiveResult.OK && bytes != 0) {
                violation(result + " with " + bytes + " bytes");
            }
        }
        if (result == ReceiveResult.OK) {
            post();
        } else {
            ended.complete(result);
        }
    }

    private synchronized void violation(String what) {
        violations.add(what);
    }
}
