package dev.asyncsocket;

/** How an accepted receive ended, delivered to {@link OnReceiveComplete} with the number of bytes received. */
public enum ReceiveResult {
    /** At least one byte was received; the count is the number written into the buffers. */
    OK,
    /** The network reported an error; 0 bytes. */
    ERROR,
    /** No more bytes will come: the peer closed or reset the connection, or the socket was closed. 0 bytes. */
    ABANDONED
}
