package dev.asyncsocket;

/** How an accepted receive ended, delivered to {@link OnReceiveComplete} with the number of bytes received. */
public enum ReceiveResult {
    /** At least one byte was received; the count is the number written into the buffers. */
    OK,
    /**
     * No byte could be received into this receive, 0 bytes: a handler in front failed (it could not decode,
     * or passed something other than bytes), or the receive's buffers took no byte when its turn came (no
     * room left, or memory that faults). The bytes not taken go to the next receive.
     */
    ERROR,
    /** No more bytes will come: the peer closed or reset the connection, or the socket was closed. 0 bytes. */
    ABANDONED
}
