package dev.asyncsocket.examples.mqtt;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * A stream of numbered messages, each one's bytes a function of its number (the number, then 0 to 255 bytes seeded
 * by it), so that a subscriber can check every message it gets: intact, once, in order. For the tests and the demo.
 */
public final class NumberedMessages {

    private static final int MAX_FILLER = 255;

    private NumberedMessages() {
    }

    /** Message {@code number}'s payload. */
    public static ByteBuffer message(int number) {
        SplittableRandom random = new SplittableRandom(number);
        byte[] bytes = new byte[Integer.BYTES + random.nextInt(MAX_FILLER + 1)];
        ByteBuffer payload = ByteBuffer.wrap(bytes).putInt(number);
        while (payload.hasRemaining()) {
            payload.put((byte) random.nextInt());
        }
        return payload.flip();
    }

    /** What publishing a stream came to. */
    public record Published(int completed, int failed, Throwable firstFailure) {
    }

    /**
     * Publishes messages 0 to {@code count - 1} in order, at most {@code window} at once (each waits for a
     * completion beyond that), and waits until every one's future completed.
     *
     * @param progress told the number of completed publishes now and then (every 1,000)
     */
    public static Published publish(MqttClient client, String topic, int qos, int count, int window,
                                    IntConsumer progress) throws InterruptedException {
        Semaphore room = new Semaphore(window);
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        for (int number = 0; number < count; number++) {
            room.acquire();
            CompletableFuture<Void> publish = client.publish(topic, message(number), qos);
            publish.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, failure);
                }
                if (completed.incrementAndGet() % 1_000 == 0) {
                    progress.accept(completed.get());
                }
                room.release();
            });
        }
        if (!room.tryAcquire(window, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("publishes still pending after 60 s: " + (window - room.availablePermits()));
        }
        return new Published(completed.get(), failed.get(), firstFailure.get());
    }

    /**
     * A subscriber's listener that checks each message against its number: the next expected, with the bytes that
     * number gives. Counts on the client's event loop; read from any thread.
     */
    public static final class Checker implements MessageListener {

        private final int expected;
        private final CompletableFuture<Void> all = new CompletableFuture<>();
        private volatile int received;
        private volatile int wrong;
        private volatile String firstWrong;

        public Checker(int expected) {
            this.expected = expected;
        }

        @Override
        public void onMessage(String topic, ByteBuffer payload, int qos) {
            int number = received;
            if (!payload.equals(message(number))) {
                wrong++;
                if (firstWrong == null) {
                    firstWrong = "message " + number + " came as " + payload.remaining() + " bytes starting "
                            + (payload.remaining() >= Integer.BYTES ? "with number " + payload.getInt(payload.position()) : "short");
                }
            }
            received = number + 1;
            if (number + 1 == expected) {
                all.complete(null);
            }
        }

        /** Completes once {@code expected} messages arrived (right or wrong). */
        public CompletableFuture<Void> all() {
            return all;
        }

        public int received() {
            return received;
        }

        /** Messages that were not the next one expected, intact. */
        public int wrong() {
            return wrong;
        }

        /** What the first wrong message was, or {@code null}. */
        public String firstWrong() {
            return firstWrong;
        }
    }
}
