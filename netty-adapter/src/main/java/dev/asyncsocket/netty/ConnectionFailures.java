package dev.asyncsocket.netty;

import javax.net.ssl.SSLException;
import java.io.IOException;

/**
 * How the tail and the sends tell failures apart. Any {@link IOException} in the chain (epoll wraps some in an
 * {@code UncheckedIOException}) means the connection is gone. A plain one (a reset, a broken pipe) is the
 * network's doing and common enough that logging each would let peers flood the log; a TLS failure (an
 * untrusted certificate, a failed handshake) is the pipeline owner's to know, once, with its cause.
 * Stateless.
 */
final class ConnectionFailures {

    private ConnectionFailures() {
    }

    /** Whether {@code cause} means the connection is gone: no byte will come and none can be sent. */
    static boolean endsTheConnection(Throwable cause) {
        return find(cause, IOException.class) != null;
    }

    /** Whether {@code cause} deserves a warning: a TLS failure, not the network's own ending. */
    static boolean worthAWarning(Throwable cause) {
        return find(cause, SSLException.class) != null;
    }

    private static <T extends Throwable> T find(Throwable cause, Class<T> type) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
