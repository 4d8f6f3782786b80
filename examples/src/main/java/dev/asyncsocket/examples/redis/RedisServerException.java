package dev.asyncsocket.examples.redis;

/**
 * The server answered a command with an error reply ({@code -ERR ...}): the command failed, the connection is fine.
 */
public final class RedisServerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RedisServerException(ErrorReply reply) {
        super(reply.message());
    }
}
