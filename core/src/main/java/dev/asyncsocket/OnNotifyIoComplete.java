package dev.asyncsocket;

/** The callback of {@link AsyncSocket#notifyIoAsync}, which is not implemented (SRS 04_002). */
@FunctionalInterface
public interface OnNotifyIoComplete<C> {
    void onNotifyIoComplete(C context, NotifyIoResult result);
}
