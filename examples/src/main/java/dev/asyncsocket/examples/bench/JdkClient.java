package dev.asyncsocket.examples.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;

/**
 * A client on the JDK's {@link AsynchronousSocketChannel}, written as efficient JDK code must be: the JDK
 * allows one write and one read outstanding, so sends queue in a ring of slots (each slot holding its own
 * duplicates of the message's direct buffers, since a write moves their positions) and leave in one
 * gathering write per burst; one direct 64 KiB buffer is read into and read into again from its own
 * completion.
 *
 * <p>Threading: the JDK runs completion handlers on the group's thread, sometimes directly inside the call
 * that started the operation, and has no way to run a task there. So every handler and every task given
 * to {@link #execute} (which runs on the caller's thread) holds this client's monitor, which serializes
 * them as an event loop would; the monitor is uncontended except while a task runs.
 */
final class JdkClient implements Client {

    private final AsynchronousSocketChannel channel;
    private final ClientEvents events;
    private final int buffersPerSend;
    private final int slots;
    /** Slot i holds buffers [i * buffersPerSend, (i + 1) * buffersPerSend). */
    private final ByteBuffer[] ring;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(Workload.RECEIVE_BUFFER_BYTES);
    private final CompletionHandler<Long, Void> onWritten = new Written();
    private final CompletionHandler<Integer, Void> onRead = new Read();
    private long sendsQueued;
    private long sendsWritten;
    private boolean writing;
    private volatile boolean closing;

    private JdkClient(AsynchronousSocketChannel channel, Workload workload, ClientEvents events) {
        this.channel = channel;
        this.events = events;
        this.buffersPerSend = workload.buffersPerSend();
        // Echo workloads may queue a window of new sends before the last write's handler has run: room for two.
        this.slots = Math.max(1, 2 * workload.window());
        this.ring = new ByteBuffer[slots * buffersPerSend];
        ByteBuffer[] message = Messages.directBuffers(workload);
        for (int i = 0; i < ring.length; i++) {
            ring[i] = message[i % buffersPerSend].duplicate();
        }
    }

    /** A client on a connected {@code channel}, reading from now on. */
    static JdkClient start(AsynchronousSocketChannel channel, Workload workload, ClientEvents events) {
        JdkClient client = new JdkClient(channel, workload, events);
        client.execute(client::read);
        return client;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            task.run();
        }
    }

    @Override
    public void send() {
        if (sendsQueued - sendsWritten == slots) {
            events.onFailure(new BenchmarkFailure("JDK client: more than " + slots + " sends outstanding"));
            return;
        }
        sendsQueued++;
    }

    @Override
    public void flush() {
        if (writing || sendsWritten == sendsQueued) {
            return;
        }
        int first = (int) (sendsWritten % slots);
        int count = (int) Math.min(sendsQueued - sendsWritten, slots - first); // up to the ring's end
        writing = true;
        channel.write(ring, first * buffersPerSend, count * buffersPerSend, 0, TimeUnit.SECONDS, null, onWritten);
    }

    @Override
    public void close() {
        closing = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void read() {
        receiveBuffer.clear();
        channel.read(receiveBuffer, null, onRead);
    }

    private void failed(Throwable cause) {
        if (!closing) {
            events.onFailure(cause);
        }
    }

    /** Completes the slots whose bytes have all been written, oldest first, and makes them ready again. */
    private int completeWrittenSlots() {
        int completed = 0;
        while (sendsWritten < sendsQueued) {
            int slot = (int) (sendsWritten % slots);
            int last = (slot + 1) * buffersPerSend - 1;
            if (ring[last].hasRemaining()) {
                break;
            }
            for (int i = slot * buffersPerSend; i <= last; i++) {
                ring[i].rewind();
            }
            sendsWritten++;
            completed++;
        }
        return completed;
    }

    private final class Written implements CompletionHandler<Long, Void> {
        @Override
        public void completed(Long bytes, Void attachment) {
            synchronized (JdkClient.this) {
                writing = false;
                int completed = completeWrittenSlots();
                if (completed > 0) {
                    events.onSendsCompleted(completed);
                }
                flush(); // what is still queued (a partly written slot, or the part past the ring's end)
            }
        }

        @Override
        public void failed(Throwable cause, Void attachment) {
            synchronized (JdkClient.this) {
                JdkClient.this.failed(cause);
            }
        }
    }

    private final class Read implements CompletionHandler<Integer, Void> {
        @Override
        public void completed(Integer bytes, Void attachment) {
            synchronized (JdkClient.this) {
                if (bytes < 0) {
                    JdkClient.this.failed(new EOFException("peer closed the connection"));
                    return;
                }
                read();
                events.onReceived(bytes);
            }
        }

        @Override
        public void failed(Throwable cause, Void attachment) {
            synchronized (JdkClient.this) {
                JdkClient.this.failed(cause);
            }
        }
    }
}
