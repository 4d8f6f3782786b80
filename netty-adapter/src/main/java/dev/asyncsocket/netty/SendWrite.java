package dev.asyncsocket.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;

/**
 * The promise of one write that carries sends: a lone send's own write, or the write of a batch of copied
 * sends ({@link SendBatcher}), whose last send it names. Completing it hands the write's outcome to that send
 * ({@link SendOperation#writeDone()}), however it arrives: Netty's outbound buffer uses {@code trySuccess} and
 * {@code tryFailure}, a handler in front may use any of these. It is the one object a write of sends adds, so
 * a batch of small sends costs one promise, not one each.
 *
 * <p>Thread-safe as any promise; the send it tells re-enters the event loop itself.
 */
final class SendWrite extends DefaultChannelPromise {

    private final SendOperation<?> send;

    SendWrite(Channel channel, SendOperation<?> send) {
        super(channel);
        this.send = send;
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        super.setSuccess(result);
        send.writeDone();
        return this;
    }

    @Override
    public boolean trySuccess(Void result) {
        if (!super.trySuccess(result)) {
            return false;
        }
        send.writeDone();
        return true;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        super.setFailure(cause);
        send.writeDone();
        return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        if (!super.tryFailure(cause)) {
            return false;
        }
        send.writeDone();
        return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(mayInterruptIfRunning)) {
            return false;
        }
        send.writeDone();
        return true;
    }
}
