package dev.asyncsocket;

/** Called exactly once for every {@link AsyncSocket#receiveAsync} that returned 0. */
@FunctionalInterface
public interface OnReceiveComplete<C> {
    /** @param bytesReceived the bytes written into the receive's buffers (0 unless {@code result} is OK) */
    void onReceiveComplete(C context, ReceiveResult result, int bytesReceived);
}
