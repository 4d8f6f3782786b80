package dev.asyncsocket.examples.mqtt;

import io.netty.util.collection.IntObjectHashMap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The operations that wait for the broker's answer, by packet identifier: QoS 1 publishes (PUBACK) and subscribes
 * (SUBACK). Identifiers go round 1..65535, skipping those in use, so each is unique among the operations under way
 * (MQTT-2.3.1-2). At most {@code limit} are held: memory is bounded whatever the broker does.
 *
 * <p>Whoever removes an operation completes it: each is removed once, by its answer, by a failed send, or by
 * {@link #removeAll()} when the connection ends, so each completes exactly once.
 *
 * <p>Not thread-safe: the client guards it with its lock.
 */
final class PendingOperations {

    /** A publish's future: complete once written (QoS 0) or acknowledged (QoS 1). */
    static final class Publish extends CompletableFuture<Void> {
    }

    /** A subscribe's future, told apart from a publish's so that a PUBACK cannot complete it: the granted QoS. */
    static final class Subscribe extends CompletableFuture<Integer> {
    }

    private final IntObjectHashMap<CompletableFuture<?>> byId;
    private final int limit;
    private int lastId;

    PendingOperations(int limit) {
        this.limit = limit;
        this.byId = new IntObjectHashMap<>(Math.min(limit, 1024));
    }

    /** Holds {@code operation} under a fresh packet identifier and returns it; 0 if {@code limit} are held already. */
    int add(CompletableFuture<?> operation) {
        if (byId.size() >= limit) {
            return 0;
        }
        do {
            lastId = lastId == 0xFFFF ? 1 : lastId + 1;
        } while (byId.containsKey(lastId));
        byId.put(lastId, operation);
        return lastId;
    }

    /** The operation under {@code id}, removed, if it is of {@code kind}; else {@code null} and nothing removed. */
    <T extends CompletableFuture<?>> T remove(int id, Class<T> kind) {
        CompletableFuture<?> operation = byId.get(id);
        if (!kind.isInstance(operation)) {
            return null;
        }
        byId.remove(id);
        return kind.cast(operation);
    }

    /** Removes {@code operation} if it is still held under {@code id}; whether it was. */
    boolean remove(int id, CompletableFuture<?> operation) {
        if (byId.get(id) != operation) {
            return false;
        }
        byId.remove(id);
        return true;
    }

    /** Every operation held, removed. */
    List<CompletableFuture<?>> removeAll() {
        List<CompletableFuture<?>> all = new ArrayList<>(byId.values());
        byId.clear();
        return all;
    }

    int size() {
        return byId.size();
    }
}
