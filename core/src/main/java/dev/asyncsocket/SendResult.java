package dev.asyncsocket;

/** How an accepted send ended, delivered to {@link OnSendComplete}. */
public enum SendResult {
    /** Every byte of the send was written to the socket. */
    OK,
    /** The network failed the write (for example the peer reset the connection while it was under way),
     *  or only part of the bytes could be written. */
    ERROR,
    /** None of the send's bytes were written: the socket was closed, destroyed or lost its connection first. */
    ABANDONED
}
