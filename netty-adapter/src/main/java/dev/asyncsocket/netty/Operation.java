package dev.asyncsocket.netty;

import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import io.netty.channel.Channel;

/**
 * An accepted send or receive on its way to the event loop. It is its own node in the
 * {@link OperationQueue}, so queueing it allocates nothing.
 *
 * <p>Completed exactly once, on the event loop (or, after the loop has terminated, on the thread that
 * sweeps up): implementations fail loudly on a second completion.
 */
interface Operation {

    /** The next node in the inbox: written (volatile) by the producer that links it, read by the event loop. */
    Operation next();

    void next(Operation next);

    /** Starts the operation on its connection; runs on the event loop. */
    void start(Hooks connection);

    /**
     * Completes the operation without doing it: the connection is gone. On the event loop, or, once the loop
     * has terminated, on the thread that sweeps up.
     */
    void abandon(Hooks connection);

    /**
     * What an operation may ask of the connection it runs on, and no more: the one way back from an
     * operation into its connection. Event loop only.
     */
    interface Hooks {
        /**
         * Copies a send into the batch of small sends that leaves as one write, if it is small enough; else
         * writes the open batch and returns {@code false}, and the send writes its own bytes.
         */
        boolean batch(SendOperation<?> send);

        /**
         * The promise under which a send may write straight to the transport: the connection's one
         * {@link StraightWrites} while the socket's handler is alone in the pipeline; else {@code null}, and the
         * send writes with a promise of its own, which a handler in front may settle any way.
         */
        StraightWrites straightWrites();

        /**
         * A send is handing its writes to the channel next (flushed at the end of the drain): its callback runs
         * in its turn, after those of the sends before it.
         */
        void writing(SendOperation<?> send);

        /** A send's write has its outcome: its callback runs in order, never on the stack of its sendAsync. */
        void writeDone(SendOperation<?> send);

        /** A send that never reached the channel (abandoned, or failed to start) completes in its turn. */
        void endedBeforeWrite(SendOperation<?> send);

        /** Posts a receive to the connection's receive queue. */
        void post(ReceiveOperation<?> receive);

        /** Whether the socket is closing: operations that end now end ABANDONED. */
        boolean isClosing();

        /** Why the socket is closing: a local close, or the engine shutting down. Failure paths only. */
        SocketFailure whyClosing();

        /** Why the channel is closed (an operation found it so): see {@link Connection#whyChannelClosed()}. */
        SocketFailure whyChannelClosed();

        /**
         * Why a write failed with {@code cause}: the connection is gone if the cause says so (a reset, a broken
         * pipe), which is then also why the channel closed; else the write alone failed.
         */
        SocketFailure whyWriteFailed(Throwable cause);

        /** Records why the ERROR or ABANDONED completion about to run failed; call right before its callback. */
        void failed(SocketFailure why);

        /** A send of {@code bytes} is about to call back with {@code result}: counted, and out of the queue. */
        void sendCompleting(long bytes, SendResult result);

        /** A receive is about to call back with {@code result} and {@code bytes}: counted. */
        void receiveCompleting(ReceiveResult result, int bytes);

        /** An operation's callback has returned (or thrown): it is no longer outstanding, which close() waits for. */
        void completed();

        /** The channel the operations run on. */
        Channel channel();
    }
}
