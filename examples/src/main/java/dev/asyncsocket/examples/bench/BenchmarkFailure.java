package dev.asyncsocket.examples.bench;

/** The run cannot be trusted: a byte count differs, an operation failed or a wait timed out. */
final class BenchmarkFailure extends RuntimeException {

    BenchmarkFailure(String message) {
        super(message);
    }

    BenchmarkFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
