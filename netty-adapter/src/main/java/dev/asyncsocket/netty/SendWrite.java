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
        tellSend();
        return this;
    }

    @Override
    public boolean trySuccess(Void result) {
        return super.trySuccess(result) && tellSend();
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        super.setFailure(cause);
        tellSend();
        return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        return super.tryFailure(cause) && tellSend();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return super.cancel(mayInterruptIfRunning) && tellSend();
    }

    /** Hands the outcome, just set, to the send; returns {@code true} so that the try-forms can chain it. */
    private boolean tellSend() {
        send.writeDone();
        return true;
    }
}
