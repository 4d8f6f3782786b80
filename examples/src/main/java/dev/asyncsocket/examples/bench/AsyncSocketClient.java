package dev.asyncsocket.examples.bench;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * A client on {@link AsyncSocket}, written as an application would: one {@code sendAsync} per message, every
 * send lending the same direct buffers (a send never changes them), its completion counted in the callback;
 * one direct 64 KiB buffer posted with {@code receiveAsync} and posted again from its own completion.
 * Nothing to flush: the socket writes a burst of sends with one flush.
 *
 * <p>Threading: callbacks run on the channel's event loop, and so do the tasks given to {@link #execute};
 * {@link #close()} is called from another thread.
 */
final class AsyncSocketClient implements Client {

    private final AsyncSocket socket;
    private final Executor eventLoop;
    private final ClientEvents events;
    private final ByteBuffer[] message;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(Workload.RECEIVE_BUFFER_BYTES);
    private final ByteBuffer[] receivePayload = {receiveBuffer};
    private final OnSendComplete<Void> onSent = this::sent;
    private final OnReceiveComplete<Void> onReceived = this::received;
    private volatile boolean closing;

    private AsyncSocketClient(AsyncSocket socket, Executor eventLoop, Workload workload, ClientEvents events) {
        this.socket = socket;
        this.eventLoop = eventLoop;
        this.events = events;
        this.message = Messages.directBuffers(workload);
    }

    /** A client on an open {@code socket} whose callbacks run on {@code eventLoop}, receiving from now on. */
    static AsyncSocketClient start(AsyncSocket socket, Executor eventLoop, Workload workload, ClientEvents events) {
        AsyncSocketClient client = new AsyncSocketClient(socket, eventLoop, workload, events);
        client.postReceive();
        return client;
    }

    @Override
    public void execute(Runnable task) {
        eventLoop.execute(task);
    }

    @Override
    public void send() {
        SendSyncResult result = socket.sendAsync(message, onSent, null);
        if (result != SendSyncResult.OK) {
            events.onFailure(new BenchmarkFailure("sendAsync returned " + result));
        }
    }

    @Override
    public void flush() {
        // Sends issued in one burst already leave in one write and one flush.
    }

    @Override
    public void close() {
        closing = true;
        socket.destroy(); // closes, waits for the callbacks: the pending receive completes ABANDONED
    }

    private void sent(Void context, SendResult result) {
        if (result == SendResult.OK) {
            events.onSendsCompleted(1);
        } else if (!closing) {
            events.onFailure(new BenchmarkFailure("send completed " + result));
        }
    }

    private void received(Void context, ReceiveResult result, int bytes) {
        if (result != ReceiveResult.OK) {
            if (!closing) {
                events.onFailure(new BenchmarkFailure("receive completed " + result));
            }
            return;
        }
        postReceive();
        events.onReceived(bytes);
    }

    private void postReceive() {
        receiveBuffer.clear();
        if (socket.receiveAsync(receivePayload, onReceived, null) != 0 && !closing) {
            events.onFailure(new BenchmarkFailure("receiveAsync refused"));
        }
    }
}
