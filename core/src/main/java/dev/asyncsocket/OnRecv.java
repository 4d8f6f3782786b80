package dev.asyncsocket;

import java.nio.ByteBuffer;

/** A custom receive function for a socket created with a transport callback pair (not supported: SRS 04_001). */
@FunctionalInterface
public interface OnRecv<C> {
    int onRecv(C context, AsyncSocket socket, ByteBuffer buffer);
}
