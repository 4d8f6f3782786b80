package dev.asyncsocket.netty;

import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Which inbound user events mean that no more bytes will come: Netty's {@link ChannelInputShutdownEvent} (the
 * peer's FIN on a channel that allows half-closure, or the owner's {@code shutdownInput()}), and the peer's TLS
 * close_notify as Netty's {@code SslHandler} reports it ({@code SslCloseCompletionEvent.SUCCESS}): TLS 1.3 lets a
 * peer end its sending direction so and keep the connection open to read. The TLS event is recognised by
 * identity, looked up once by name, so that this library needs {@code netty-handler} only where a pipeline has
 * TLS in it. Stateless.
 */
final class EndOfInput {

    /** {@code SslCloseCompletionEvent.SUCCESS}, or {@code null} without {@code netty-handler} on the class path. */
    private static final Object TLS_CLOSE_NOTIFY = constant("io.netty.handler.ssl.SslCloseCompletionEvent", "SUCCESS");

    private EndOfInput() {
    }

    /** Whether {@code event} says that the peer will send no more bytes. */
    static boolean is(Object event) {
        return event == ChannelInputShutdownEvent.INSTANCE || (event != null && event == TLS_CLOSE_NOTIFY);
    }

    private static Object constant(String className, String field) {
        try {
            return Class.forName(className, true, EndOfInput.class.getClassLoader()).getField(field).get(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException absent) {
            return null;
        }
    }
}
