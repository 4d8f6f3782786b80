package dev.asyncsocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The channel's receive-buffer allocator, wrapped for two things. A read burst goes on while a receive
 * waits, and only then: auto-read is off, and Netty's own handles would stop after one read per wake-up.
 * And the transport can read straight into the buffer of the receive waiting at the head of the
 * {@link ReceiveQueue} (see {@link ReceiveQueue#lend()}), saving the copy. Every other read, and all of the
 * allocator's sizing, is the wrapped allocator's.
 *
 * <p>Reads go into posted buffers only on transports that read synchronously inside {@code allocate} and
 * {@code channelRead} (NIO, epoll): there the lent memory is written before the receive can complete.
 * io_uring reads asynchronously, so a receive abandoned by a close could still be written into afterwards;
 * there the wrapper only shapes the bursts. {@link NettyTransport#mayReadIntoPostedBuffer} decides.
 *
 * <p>It takes effect only on a channel that has not read yet: Netty's channel keeps the handle of its first
 * read for good. On a channel that read before the socket opened (auto-read on, a TLS handshake) the reads go
 * on through the owner's handle: one read per request, into the allocator's buffers, and the socket does not
 * see the EOF read ({@link ReceiveQueue#onEofRead}).
 */
final class ReadIntoPostedBuffer implements RecvByteBufAllocator {

    /** Netty's default for reads per wake-up, for an allocator that does not say. */
    private static final int DEFAULT_MAX_READS = 16;

    private final RecvByteBufAllocator wrapped;
    private final ReceiveQueue receives;
    private final boolean lends;
    private final int maxReads;

    /** @param lends whether reads may go into the posted buffers (see the class comment) */
    ReadIntoPostedBuffer(RecvByteBufAllocator wrapped, ReceiveQueue receives, boolean lends) {
        this.wrapped = wrapped;
        this.receives = receives;
        this.lends = lends;
        this.maxReads = wrapped instanceof MaxMessagesRecvByteBufAllocator
                ? ((MaxMessagesRecvByteBufAllocator) wrapped).maxMessagesPerRead() : DEFAULT_MAX_READS;
    }

    /** The most reads one wake-up makes: the wrapped allocator's limit. */
    int maxReads() {
        return maxReads;
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
        /** Netty's own test for "the last read filled its buffer, so more may be waiting". */
        private final UncheckedBooleanSupplier lastReadFilledBuffer;
        private int reads;

        LendingHandle(ExtendedHandle handle) {
            this.handle = handle;
            this.lastReadFilledBuffer = () -> handle.attemptedBytesRead() == handle.lastBytesRead();
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf lent = lends ? receives.lend() : null;
            return lent != null ? lent : handle.allocate(alloc);
        }

        @Override
        public int guess() {
            return handle.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            handle.reset(config);
            reads = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            handle.incMessagesRead(numMessages);
            reads += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes < 0) {
                receives.onEofRead(); // Netty's transports read -1 at the peer's EOF
            }
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

        // Netty's handles read once per read() while auto-read is off, so each read would wait for the next
        // wake-up. This one reads on, as auto-read would, up to the usual limit of reads per wake-up, but only
        // while a receive waits: reading on otherwise would only pile up bytes to copy later.
        @Override
        public boolean continueReading() {
            return continueReading(lastReadFilledBuffer);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            return receives.wantsMoreBytes() && reads < maxReads && handle.lastBytesRead() > 0 && maybeMoreData.get();
        }

        @Override
        public void readComplete() {
            handle.readComplete();
        }
    }
}
