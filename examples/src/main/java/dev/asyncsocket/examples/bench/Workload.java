package dev.asyncsocket.examples.bench;

import java.util.function.Function;

/**
 * The five workloads of the side-by-side benchmark: what the client sends and how many sends it keeps
 * outstanding, what the peer does with the bytes, which driver runs the client, and what is measured.
 * Immutable.
 */
enum Workload {
    A("streaming", "16 KiB sends, up to 16 outstanding, peer discards",
            1, 16 * 1024, 16, PeerMode.DISCARD, Unit.MIB_PER_S, StreamDriver::new),
    B("pipelined", "one send per 64 B message, up to 64 outstanding, echoed",
            1, 64, 64, PeerMode.ECHO, Unit.MESSAGES_PER_S, EchoDriver::new),
    C("ping-pong", "one 64 B request, the whole echo awaited",
            1, 64, 1, PeerMode.ECHO, Unit.ROUND_TRIPS_PER_S, EchoDriver::new),
    D("gathered", "8 x 1 KiB buffers per send, up to 16 outstanding, peer discards",
            8, 1024, 16, PeerMode.DISCARD, Unit.MIB_PER_S, StreamDriver::new),
    E("receive", "one posted 64 KiB direct buffer, peer streams",
            1, 1, 0, PeerMode.STREAM, Unit.MIB_PER_S, ReceiveDriver::new); // window 0: its message is never sent

    /** What one receive may take at most, on every stack: one 64 KiB buffer. */
    static final int RECEIVE_BUFFER_BYTES = 64 * 1024;

    private final String title;
    private final String description;
    private final int buffersPerSend;
    private final int bufferBytes;
    private final int window;
    private final PeerMode peerMode;
    private final Unit unit;
    private final Function<Workload, Driver> driverFactory;

    Workload(String title, String description, int buffersPerSend, int bufferBytes, int window,
             PeerMode peerMode, Unit unit, Function<Workload, Driver> driverFactory) {
        this.title = title;
        this.description = description;
        this.buffersPerSend = buffersPerSend;
        this.bufferBytes = bufferBytes;
        this.window = window;
        this.peerMode = peerMode;
        this.unit = unit;
        this.driverFactory = driverFactory;
    }

    String title() {
        return title;
    }

    String description() {
        return description;
    }

    /** How many buffers make up one send (a gathered send when more than one). */
    int buffersPerSend() {
        return buffersPerSend;
    }

    int bufferBytes() {
        return bufferBytes;
    }

    /** The bytes of one send. */
    int messageBytes() {
        return buffersPerSend * bufferBytes;
    }

    /** Sends (A, D) or messages awaiting their echo (B, C) kept outstanding; 0 for a client that only receives. */
    int window() {
        return window;
    }

    PeerMode peerMode() {
        return peerMode;
    }

    Unit unit() {
        return unit;
    }

    /** Whether latency percentiles are reported (ping-pong). */
    boolean measuresLatency() {
        return this == C;
    }

    /** Whether the round ends when the peer has read the last byte (the client only sends). */
    boolean endsAtPeer() {
        return peerMode == PeerMode.DISCARD;
    }

    /** Units of work a round's outcome counts: bytes (A, D, E) or echoed messages (B, C). */
    long units(Driver.Outcome outcome) {
        switch (this) {
            case B:
            case C:
                return outcome.bytesReceived() / messageBytes();
            case E:
                return outcome.bytesReceived();
            default:
                return outcome.bytesSent();
        }
    }

    Driver newDriver() {
        return driverFactory.apply(this);
    }

    /** What the peer does with the connection. */
    enum PeerMode { DISCARD, ECHO, STREAM }

    /** How a rate is shown. */
    enum Unit {
        MIB_PER_S("MiB/s", "MiB", "us/MiB", 1.0 / (1024 * 1024), 1e3),
        MESSAGES_PER_S("msg/s", "msg", "ns/msg", 1, 1),
        ROUND_TRIPS_PER_S("rt/s", "rt", "ns/rt", 1, 1);

        private final String label;
        private final String name;
        private final String cpuLabel;
        private final double scale;
        private final double cpuNanosPerShown;

        Unit(String label, String name, String cpuLabel, double scale, double cpuNanosPerShown) {
            this.label = label;
            this.name = name;
            this.cpuLabel = cpuLabel;
            this.scale = scale;
            this.cpuNanosPerShown = cpuNanosPerShown;
        }

        String label() {
            return label;
        }

        String cpuLabel() {
            return cpuLabel;
        }

        /** What one unit is called: MiB, msg or rt. */
        String unitName() {
            return name;
        }

        /** {@code amount} per unit, for {@code units} units. */
        double perUnit(long units, long amount) {
            return amount / (units * scale);
        }

        /** CPU time per unit, as {@link #cpuLabel()} shows it, for {@code cpuNanos} spent on {@code units}. */
        double cpuPerUnit(long units, long cpuNanos) {
            return cpuNanos / cpuNanosPerShown / (units * scale);
        }

        /** Units per second for {@code units} done in {@code nanos}. */
        double rate(long units, long nanos) {
            return units * scale / (nanos / 1e9);
        }
    }
}
