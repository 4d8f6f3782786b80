package dev.asyncsocket;

import java.lang.System.Logger.Level;

/**
 * Runs user callbacks so that an exception thrown by one is logged and goes no further: it never breaks
 * the socket or another operation's completion. Stateless and thread-safe.
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
        if (t instanceof VirtualMachineError) {
            throw (VirtualMachineError) t;
        }
        LOG.log(Level.WARNING, which + " threw; the socket carries on", t);
    }
}
