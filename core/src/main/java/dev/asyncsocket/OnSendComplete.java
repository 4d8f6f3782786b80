package dev.asyncsocket;

/** Called exactly once for every {@link AsyncSocket#sendAsync} that returned {@link SendSyncResult#OK}. */
@FunctionalInterface
public interface OnSendComplete<C> {
    void onSendComplete(C context, SendResult result);
}
