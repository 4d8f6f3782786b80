package dev.asyncsocket;

/** What {@link AsyncSocket#sendAsync} returns at once. Only {@link #OK} is followed by a completion callback. */
public enum SendSyncResult {
    /** The send was accepted; exactly one {@link OnSendComplete} callback follows. */
    OK,
    /** Bad input (see {@link AsyncSocket#sendAsync}) or an internal failure; no callback follows. */
    ERROR,
    /** The socket is not open, or its connection was reset; no callback follows. */
    NOT_OPEN
}
