package dev.asyncsocket.netty;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * Whether the calling thread may wait. It may not on a Netty event loop of any group (this socket's, another
 * socket's, another engine's, the caller's own) nor on Netty's global executor, which runs what is left of a
 * socket's completions once its loop has ended: a wait there could wait for a callback that the waiting
 * thread itself, or a loop waiting on it, would have to run. Every callback of this library runs on one of
 * them. Any other thread may wait, including the threads of a caller's own {@code DefaultEventExecutorGroup}
 * (where pipelines run blocking handler code), since no callback of a socket ever runs there.
 *
 * <p>Netty marks each of its executors' threads ({@link ThreadExecutorMap}). Stateless.
 */
final class CurrentThread {

    private CurrentThread() {
    }

    static boolean mayBlock() {
        EventExecutor executor = ThreadExecutorMap.currentExecutor();
        return !(executor instanceof EventLoop || executor == GlobalEventExecutor.INSTANCE);
    }
}
