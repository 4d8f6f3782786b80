package dev.asyncsocket.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
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
 * (where pipelines run blocking handler code), unless one of them runs a handler of the socket's own
 * pipeline ({@link #mayBlock(Channel)}).
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

    /**
     * As {@link #mayBlock()}, and not on an executor that runs a handler of {@code channel}'s pipeline (a
     * handler added with its own {@code EventExecutorGroup}): the socket's writes and its close pass through
     * that handler, so a wait there for the socket's callbacks would wait for itself.
     */
    static boolean mayBlock(Channel channel) {
        if (!mayBlock()) {
            return false;
        }
        EventExecutor executor = ThreadExecutorMap.currentExecutor();
        if (executor == null) {
            return true;
        }
        ChannelPipeline pipeline = channel.pipeline();
        for (String name : pipeline.names()) {
            ChannelHandlerContext context = pipeline.context(name);
            if (context != null && context.executor() == executor) {
                return false;
            }
        }
        return true;
    }
}
