package dev.asyncsocket.examples.bench;

/** What a {@link Client} reports, on the client's thread. */
interface ClientEvents {

    /** {@code sends} more sends have completed, in order. */
    void onSendsCompleted(int sends);

    /** {@code bytes} more bytes have been received. */
    void onReceived(int bytes);

    /** The connection failed; the round fails. */
    void onFailure(Throwable cause);
}
