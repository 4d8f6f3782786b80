package dev.asyncsocket;

/** The result of {@link AsyncSocket#openAsync}, delivered to {@link OnOpenComplete}. */
public enum OpenResult {
    /** The socket is open: sends and receives are accepted. */
    OK,
    /** The socket could not be opened; it is back in its closed state. */
    ERROR
}
