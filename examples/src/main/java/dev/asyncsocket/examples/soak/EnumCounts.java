package dev.asyncsocket.examples.soak;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/** A count for each constant of an enum. Thread-safe. */
final class EnumCounts<E extends Enum<E>> {

    private final Class<E> type;
    private final Map<E, LongAdder> counts;

    EnumCounts(Class<E> type) {
        this.type = type;
        this.counts = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            counts.put(value, new LongAdder());
        }
    }

    void increment(E value) {
        counts.get(value).increment();
    }

    long get(E value) {
        return counts.get(value).sum();
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The counts now, in the enum's order. */
    Map<E, Long> snapshot() {
        Map<E, Long> snapshot = new EnumMap<>(type);
        counts.forEach((value, count) -> snapshot.put(value, count.sum()));
        return Collections.unmodifiableMap(snapshot);
    }

    /** "{@code ok 12, error 0}": each constant, in lower case, and its count. */
    static String describe(Map<? extends Enum<?>, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey().name().toLowerCase() + " " + String.format("%,d", e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
