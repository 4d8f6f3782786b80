package dev.asyncsocket;

/** Called once when an accepted {@link AsyncSocket#openAsync} completes. */
@FunctionalInterface
public interface OnOpenComplete<C> {
    void onOpenComplete(C context, OpenResult result);
}
