package dev.asyncsocket.examples.redis;

/**
 * A RESP error ({@code -ERR ...}) as a value: what an array holds where one of its elements is an error (the reply
 * of {@code EXEC} when a queued command failed, for instance). An error that is a whole reply fails its command's
 * future with a {@link RedisServerException} instead.
 *
 * @param message the error line without its leading {@code -}, e.g. {@code "WRONGTYPE Operation against a key..."}
 */
public record ErrorReply(String message) {
}
