package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;

import java.util.List;

/**
 * The rare oversize send: a payload over {@code Integer.MAX_VALUE} bytes (the most one {@link ByteBuf}
 * holds) or over {@link SendOperation#MAX_BUFFERS_PER_WRITE} buffers leaves as consecutive writes. These are
 * the writes before the send's own last one, with their promises.
 *
 * <p>The send may complete only once every part's write has its outcome: until then Netty may still read the
 * caller's buffers, even if a later part failed early. Confined to the event loop once written.
 */
final class LeadingParts {

    private final ByteBuf[] parts;
    private final ChannelPromise[] written;

    LeadingParts(List<ByteBuf> parts) {
        this.parts = parts.toArray(new ByteBuf[0]);
        this.written = new ChannelPromise[this.parts.length];
    }

    /** Writes every part, in order, ahead of the send's own write. */
    void write(Channel channel) {
        for (int i = 0; i < parts.length; i++) {
            written[i] = channel.newPromise();
            channel.write(parts[i], written[i]);
        }
    }

    /** Lets the parts go without writing them. */
    void release() {
        for (ByteBuf part : parts) {
            part.release();
        }
    }

    /**
     * Whether every part's write has its outcome; if not, {@code whenDone} runs once the first one still
     * pending has it (and should ask again).
     */
    boolean allDone(Runnable whenDone) {
        ChannelPromise pending = firstPending();
        if (pending == null) {
            return true;
        }
        pending.addListener(done -> whenDone.run());
        return false;
    }

    /** Whether a part's write still awaits its outcome. */
    boolean anyPending() {
        return firstPending() != null;
    }

    private ChannelPromise firstPending() {
        for (ChannelPromise promise : written) {
            if (promise != null && !promise.isDone()) {
                return promise;
            }
        }
        return null;
    }

    /** Whether every part was released: nothing reads the caller's memory through them any more. */
    boolean allReleased() {
        for (ByteBuf part : parts) {
            if (part.refCnt() != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether every part's write succeeded. */
    boolean allSucceeded() {
        for (ChannelPromise promise : written) {
            if (promise == null || !promise.isSuccess()) {
                return false;
            }
        }
        return true;
    }

    /** Whether any part reached the wire, in whole or in part. */
    boolean anyWritten() {
        for (int i = 0; i < parts.length; i++) {
            if ((written[i] != null && written[i].isSuccess()) || parts[i].readerIndex() > 0) {
                return true;
            }
        }
        return false;
    }
}
