package dev.asyncsocket.netty;

import io.netty.util.internal.ThreadExecutorMap;

/**
 * Whether the calling thread may wait. It may not on any thread of a Netty executor: an event loop of any
 * group (this socket's, another socket's, another engine's, the caller's own) or the global executor, which
 * runs what is left of a socket's completions once its loop has ended. A wait there could wait for a
 * callback that the waiting thread itself, or a loop waiting on it, would have to run.
 *
 * <p>Netty marks each of its executors' threads ({@link ThreadExecutorMap}); every callback of this library
 * runs on one of them. Stateless.
 */
final class CurrentThread {

    private CurrentThread() {
    }

    static boolean mayBlock() {
        return ThreadExecutorMap.currentExecutor() == null;
    }
}
