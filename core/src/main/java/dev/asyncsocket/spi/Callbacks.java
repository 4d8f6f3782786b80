package dev.asyncsocket.spi;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.OnOpenComplete;
import dev.asyncsocket.OnReceiveComplete;
import dev.asyncsocket.OnSendComplete;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;

import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * Runs user callbacks so that whatever one throws is logged and goes no further: it never breaks the socket
 * or another operation's completion. That includes a {@link VirtualMachineError}: as Netty does for a
 * promise's listeners, it is logged (at ERROR) and not rethrown, since rethrowing it would unwind the
 * socket's bookkeeping on the event loop (the operation's count, the handler, the bytes meant for the next
 * receive) and leave close() waiting forever. Stateless and thread-safe.
 */
public final class Callbacks {

    private static final System.Logger LOG = System.getLogger(AsyncSocket.class.getName());

    private Callbacks() {
    }

    public static <C> void openComplete(OnOpenComplete<C> callback, C context, OpenResult result) {
        try {
            callback.onOpenComplete(context, result);
        } catch (Throwable t) {
            thrown("onOpenComplete", t);
        }
    }

    public static <C> void sendComplete(OnSendComplete<C> callback, C context, SendResult result) {
        try {
            callback.onSendComplete(context, result);
        } catch (Throwable t) {
            thrown("onSendComplete", t);
        }
    }

    public static <C> void receiveComplete(OnReceiveComplete<C> callback, C context, ReceiveResult result,
                                           int bytesReceived) {
        try {
            callback.onReceiveComplete(context, result, bytesReceived);
        } catch (Throwable t) {
            thrown("onReceiveComplete", t);
        }
    }

    private static void thrown(String which, Throwable t) {
        log.thrown(which + " threw; the socket carries on", t);
    }

    /** Where what a callback threw is reported. */
    @FunctionalInterface
    public interface Log {
        /** Reports {@code thrown}: at ERROR for a {@link VirtualMachineError}, else at WARNING. */
        void thrown(String message, Throwable thrown);
    }

    /** By default, {@code System.Logger} (java.util.logging unless configured otherwise). */
    private static volatile Log log = (message, thrown) -> LOG.log(
            thrown instanceof VirtualMachineError ? Level.ERROR : Level.WARNING, message, thrown);

    /**
     * Routes the reports elsewhere: an implementation sends them where its own log lines go (the Netty one,
     * through Netty's logging, so SLF4J when present). Process-wide.
     */
    public static void logTo(Log sink) {
        log = Objects.requireNonNull(sink, "sink");
    }
}
