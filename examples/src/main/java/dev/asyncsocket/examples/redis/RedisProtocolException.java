package dev.asyncsocket.examples.redis;

import java.io.IOException;

/**
 * The bytes from the server are not RESP2, or break one of the parser's bounds (line length, bulk length, nesting
 * depth), or a reply came with no command waiting for it. The connection cannot go on: it fails, with this as the
 * cause of every pending command's {@link RedisConnectionException}.
 */
public final class RedisProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public RedisProtocolException(String message) {
        super(message);
    }
}
