package dev.asyncsocket;

import java.nio.ByteBuffer;

/** A custom send function for a socket created with a transport callback pair (not supported: SRS 04_001). */
@FunctionalInterface
public interface OnSend<C> {
    int onSend(C context, AsyncSocket socket, ByteBuffer buffer);
}
