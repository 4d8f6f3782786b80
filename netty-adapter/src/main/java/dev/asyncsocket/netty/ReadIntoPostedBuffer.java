package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The channel's receive-buffer allocator, wrapped so that the transport can read straight into the buffer
 * of the receive waiting at the head of the {@link ReceiveQueue} (see {@link ReceiveQueue#lend()}), saving
 * the copy, and so that a read burst stops once no receive waits; every other read, and all of the
 * allocator's sizing, is the wrapped allocator's.
 *
 * <p>Installed only on transports that read synchronously inside {@code allocate} and {@code channelRead}
 * (NIO, epoll): there the lent memory is written before the receive can complete. io_uring reads
 * asynchronously, so a receive abandoned by a close could still be written into afterwards.
 */
final class ReadIntoPostedBuffer implements RecvByteBufAllocator {

    private final RecvByteBufAllocator wrapped;
    private final ReceiveQueue receives;

    ReadIntoPostedBuffer(RecvByteBufAllocator wrapped, ReceiveQueue receives) {
        this.wrapped = wrapped;
        this.receives = receives;
    }

    /** Whether the channel's own allocator can be wrapped (Netty's transports need an extended handle). */
    static boolean canWrap(RecvByteBufAllocator allocator) {
        return allocator.newHandle() instanceof ExtendedHandle;
    }

    @Override
    public Handle newHandle() {
        return new LendingHandle((ExtendedHandle) wrapped.newHandle());
    }

    private final class LendingHandle implements ExtendedHandle {
        private final ExtendedHandle handle;

        LendingHandle(ExtendedHandle handle) {
            this.handle = handle;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf lent = receives.lend();
            return lent != null ? lent : handle.allocate(alloc);
        }

        @Override
        public int guess() {
            return handle.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            handle.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            handle.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            handle.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return handle.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            handle.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return handle.attemptedBytesRead();
        }

        // Reading on while no receive waits would only pile up bytes to copy later: the burst stops there.
        @Override
        public boolean continueReading() {
            return handle.continueReading() && receives.wantsMoreBytes();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return handle.continueReading(maybeMoreDataSupplier) && receives.wantsMoreBytes();
        }

        @Override
        public void readComplete() {
            handle.readComplete();
        }
    }
}
