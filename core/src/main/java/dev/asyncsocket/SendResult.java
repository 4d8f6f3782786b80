package dev.asyncsocket;

/** How an accepted send ended, delivered to {@link OnSendComplete}. */
public enum SendResult {
    /**
     * Every byte of the send was handed to the operating system (written to the socket). That is not a
     * receipt: the peer may still never read them.
     */
    OK,
    /**
     * The write failed: the network failed it (the peer reset the connection while it was under way), a
     * handler in front refused it, or only part of the bytes could be written. Some bytes may have reached
     * the peer; the stream is not whole from here on.
     */
    ERROR,
    /**
     * The send was cut short by the socket's end: {@code close()} or {@code destroy()} came first, or the
     * connection was already gone. A client may conclude that the send did not complete; it may not
     * conclude that none of its bytes reached the peer: a send that was under way when {@code close()} came
     * may have written part of its bytes. Sends accepted after it end the same way.
     */
    ABANDONED
}
