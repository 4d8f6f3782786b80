package dev.asyncsocket.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;

/**
 * The promise of a send's own write while handlers are in front of the socket (TLS, codecs), which may settle
 * it any way, from any thread and more than once, or of a batch written below a handler added since its sends
 * started ({@link SendBatcher}), whose last send it names: completing it hands the write's outcome to the send
 * ({@link SendOperation#writeDone()}) once, however it arrives. Without handlers in front, writes share the
 * connection's {@link StraightWrites} instead.
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
