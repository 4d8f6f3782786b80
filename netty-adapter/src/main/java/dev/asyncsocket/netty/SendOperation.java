package dev.asyncsocket.netty;

import dev.asyncsocket.Callbacks;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OutstandingOperations;
import dev.asyncsocket.SendResult;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultChannelPromise;

import java.nio.channels.ClosedChannelException;

/**
 * One accepted send: the caller's buffers wrapped (not copied) in one {@link ByteBuf}, and the callback
 * that the write's outcome completes. The send is itself the promise of its write and that promise's only
 * listener, so a send costs one object besides the wrapper. Confined to the event loop once started.
 */
final class SendOperation<C> extends DefaultChannelPromise implements Operation, ChannelFutureListener {

    private final ByteBuf data;
    private final OnSendComplete<C> callback;
    private final C context;
    private final OutstandingOperations outstanding;
    private volatile Operation next;
    private Connection connection;
    private boolean completed;

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_028: [ Otherwise async_socket_send_async shall create a context for the send where the payload, on_send_complete and on_send_complete_context shall be stored. ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_057: [ An event to be used for the OVERLAPPED structure passed to socket_transport_send shall be created and stored in the context. ]
    SendOperation(Channel channel, ByteBuf data, OnSendComplete<C> callback, C context,
                  OutstandingOperations outstanding) {
        super(channel);
        this.data = data;
        this.callback = callback;
        this.context = context;
        this.outstanding = outstanding;
    }

    @Override
    public Operation next() {
        return next;
    }

    @Override
    public void next(Operation next) {
        this.next = next;
    }

    @Override
    public void start(Connection connection) {
        this.connection = connection;
        addListener(this);
        connection.write(data, this);
    }

    @Override
    public void abandon() {
        data.release();
        complete(SendResult.ABANDONED);
    }

    /** Completes a send Netty accepted but will never finish: its event loop ended with the channel open. */
    void abandonInFlight() {
        complete(SendResult.ABANDONED);
    }

    boolean isCompleted() {
        return completed;
    }

    // Codes_SRS_ASYNC_SOCKET_WIN32_01_064: [ overlapped shall be used to determine the context of the IO. ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_065: [ If the context of the IO indicates that a send has completed: ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_068: [ on_io_complete shall close the event handle created in async_socket_send_async/async_socket_receive_async. ]
    // Codes_SRS_ASYNC_SOCKET_WIN32_01_072: [ on_io_complete shall free the IO context. ]
    // Netty has released the wrapper before it completes the write's promise, which is this send.
    @Override
    public void operationComplete(ChannelFuture future) {
        connection.written(this);
        complete(resultOf(future));
    }

    private SendResult resultOf(ChannelFuture future) {
        if (future.isSuccess()) {
            // Codes_SRS_ASYNC_SOCKET_WIN32_01_066: [ If io_result is NO_ERROR, the on_send_complete callback passed to async_socket_send_async shall be called with on_send_complete_context as argument and ASYNC_SOCKET_SEND_OK. ]
            return SendResult.OK;
        }
        if (connection.isClosing()) {
            return SendResult.ABANDONED; // close() or destroy() came first: the contract's "else ABANDONED"
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_102: [ If io_result is NO_ERROR, but the number of bytes send is different than the sum of all buffer sizes passed to async_socket_send_async, the on_send_complete callback passed to async_socket_send_async shall be called with on_send_complete_context as context and ASYNC_SOCKET_SEND_ERROR. ]
        // The wrapper's reader index is how far the transport got: past 0 and short of the end is a partial send.
        // It is read after Netty released the wrapper, which leaves the indexes in place.
        boolean partlyWritten = data.readerIndex() > 0 && data.readerIndex() < data.writerIndex();
        if (!partlyWritten && future.cause() instanceof ClosedChannelException) {
            return SendResult.ABANDONED;
        }
        // Codes_SRS_ASYNC_SOCKET_WIN32_01_067: [ If io_result is not NO_ERROR, the on_send_complete callback passed to async_socket_send_async shall be called with on_send_complete_context as argument and ASYNC_SOCKET_SEND_ERROR. ]
        return SendResult.ERROR;
    }

    private void complete(SendResult result) {
        if (completed) {
            throw new IllegalStateException("completed twice: " + this);
        }
        completed = true;
        Callbacks.sendComplete(callback, context, result);
        outstanding.completed();
    }
}
