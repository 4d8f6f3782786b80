package dev.asyncsocket.examples.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that injects faults into the bytes between a client (the socket under test,
 * which connects to {@link #port()}) and a server (its peer, which the proxy connects to). One job: pass
 * bytes on, each direction by its own {@link Faults}:
 * <ul>
 *   <li>{@link Faults#delayEachChunk}: wait before forwarding each chunk read;</li>
 *   <li>{@link Faults#oneByteSegments}: write every chunk one byte per write (TCP_NODELAY: one segment each);</li>
 *   <li>{@link Faults#stallAfter}: after so many bytes, forward nothing for a while;</li>
 *   <li>{@link Faults#halfCloseAfter}: after so many bytes, send FIN to the receiving side and drop (but keep
 *       reading) whatever else comes in that direction;</li>
 *   <li>{@link Faults#resetAfter}: after so many bytes, reset one side (SO_LINGER 0); the other side gets a
 *       clean FIN after the bytes already passed to it, and what it sends from then on is dropped.</li>
 * </ul>
 * Byte counts are exact: the proxy never forwards a byte past a trigger before acting on it. A FIN from
 * either side is passed on as a FIN; a failure on either side resets both (what a transparent proxy does).
 *
 * <p>Blocking sockets: an acceptor thread, and two pump threads per connection. Loopback only.
 * {@link #close()} resets whatever is still connected and waits for every thread to end.
 */
public final class FaultProxy implements AutoCloseable {

    /** Which way bytes flow: from the client to the server, or back. */
    public enum Direction { TO_SERVER, TO_CLIENT }

    /** One end of a proxied connection: the client's (the socket under test) or the server's (its peer). */
    public enum Side { CLIENT, SERVER }

    /** What happens to the bytes of one direction. Immutable; start from {@link #none()}. */
    public record Faults(Duration delay, boolean sliced, long stallAt, Duration stallFor,
                         long halfCloseAt, long resetAt, Side resetSide) {

        private static final long NEVER = Long.MAX_VALUE;

        public static Faults none() {
            return new Faults(Duration.ZERO, false, NEVER, Duration.ZERO, NEVER, NEVER, null);
        }

        /** Waits {@code delay} before forwarding each chunk read. */
        public Faults delayEachChunk(Duration delay) {
            return new Faults(delay, sliced, stallAt, stallFor, halfCloseAt, resetAt, resetSide);
        }

        /** Writes every chunk one byte per write: one TCP segment per byte. */
        public Faults oneByteSegments() {
            return new Faults(delay, true, stallAt, stallFor, halfCloseAt, resetAt, resetSide);
        }

        /** After {@code bytes} bytes, forwards nothing for {@code stall}. */
        public Faults stallAfter(long bytes, Duration stall) {
            return new Faults(delay, sliced, bytes, stall, halfCloseAt, resetAt, resetSide);
        }

        /** After {@code bytes} bytes, sends FIN to the receiving side and drops the rest. */
        public Faults halfCloseAfter(long bytes) {
            return new Faults(delay, sliced, stallAt, stallFor, bytes, resetAt, resetSide);
        }

        /** After {@code bytes} bytes, resets {@code side} (SO_LINGER 0) and half-closes the other side (FIN). */
        public Faults resetAfter(long bytes, Side side) {
            return new Faults(delay, sliced, stallAt, stallFor, halfCloseAt, bytes, side);
        }
    }

    private static final int CHUNK = 16 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final Faults toServer;
    private final Faults toClient;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong[] forwarded = {new AtomicLong(), new AtomicLong()};
    private final AtomicLong[] dropped = {new AtomicLong(), new AtomicLong()};
    private final List<CompletableFuture<Void>> faulted = List.of(new CompletableFuture<>(), new CompletableFuture<>());
    private volatile boolean closed;

    private FaultProxy(int serverPort, Faults toServer, Faults toClient) throws IOException {
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
        this.toServer = toServer;
        this.toClient = toClient;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("fault-proxy-accept", this::acceptLoop);
    }

    /** A proxy to 127.0.0.1:{@code serverPort}; clients connect to {@link #port()}. */
    public static FaultProxy start(int serverPort, Faults toServer, Faults toClient) throws IOException {
        return new FaultProxy(serverPort, toServer, toClient);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes passed on in {@code direction}, over every connection so far. */
    public long forwarded(Direction direction) {
        return forwarded[direction.ordinal()].get();
    }

    /** Bytes read in {@code direction} and dropped: after its half-close, or bound for a side reset on purpose. */
    public long dropped(Direction direction) {
        return dropped[direction.ordinal()].get();
    }

    /** Completes once the injected half-close or reset of {@code direction} has been done. */
    public CompletableFuture<Void> faulted(Direction direction) {
        return faulted.get(direction.ordinal());
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(server, 5000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Connection connection = new Connection(client, upstream);
                connections.add(connection);
                // Both directions' streams are taken here, before either pump runs: a pump that started late would
                // find its socket already reset by the other's injected fault, take that for a failure of its own
                // and reset the other side too (seen: the socket lost the 512 KiB the proxy had passed it).
                Ends fromClient = new Ends(client.getInputStream(), upstream.getOutputStream());
                Ends fromServer = new Ends(upstream.getInputStream(), client.getOutputStream());
                start("fault-proxy-to-server", () -> connection.pump(Direction.TO_SERVER, fromClient, client, upstream, toServer));
                start("fault-proxy-to-client", () -> connection.pump(Direction.TO_CLIENT, fromServer, upstream, client, toClient));
            } catch (IOException e) {
                abort(client);
            }
        }
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /** One direction's ends: where the proxy reads and where it writes. */
    private record Ends(InputStream in, OutputStream out) {
    }

    /** One proxied connection: the client's socket and the one to the server. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        /** The side the proxy reset on purpose, if it did. */
        private volatile Side reset;
        private int finished;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        Socket socket(Side side) {
            return side == Side.CLIENT ? client : upstream;
        }

        Side sideOf(Socket socket) {
            return socket == client ? Side.CLIENT : Side.SERVER;
        }

        void pump(Direction direction, Ends ends, Socket from, Socket to, Faults faults) {
            AtomicLong count = forwarded[direction.ordinal()];
            byte[] chunk = new byte[CHUNK];
            long passed = 0;
            boolean stalled = false;
            boolean halfClosed = false;
            InputStream in = ends.in();
            OutputStream out = ends.out();
            try {
                while (true) {
                    if (!stalled && passed == faults.stallAt()) {
                        stalled = true;
                        Thread.sleep(faults.stallFor().toMillis()); // the fault itself: forward nothing for a while
                    }
                    if (!halfClosed && passed == faults.halfCloseAt()) {
                        halfClosed = true;
                        to.shutdownOutput();
                        faulted.get(direction.ordinal()).complete(null);
                    }
                    if (reset == null && passed == faults.resetAt()) {
                        reset(faults.resetSide());
                        faulted.get(direction.ordinal()).complete(null);
                    }
                    boolean dropping = halfClosed || reset == sideOf(to);
                    long limit = dropping ? Long.MAX_VALUE : nextTrigger(faults, passed, stalled, halfClosed);
                    int n = in.read(chunk, 0, (int) Math.min(chunk.length, limit - passed));
                    if (n < 0) {
                        if (!dropping) {
                            to.shutdownOutput(); // pass the FIN on
                        }
                        endOfDirection();
                        return;
                    }
                    if (dropping) {
                        dropped[direction.ordinal()].addAndGet(n);
                        continue;
                    }
                    if (!faults.delay().isZero()) {
                        Thread.sleep(faults.delay().toMillis());
                    }
                    try {
                        if (faults.sliced()) {
                            for (int i = 0; i < n; i++) {
                                out.write(chunk[i]);
                            }
                        } else {
                            out.write(chunk, 0, n);
                        }
                    } catch (IOException e) {
                        if (reset != sideOf(to)) {
                            throw e;
                        }
                        dropped[direction.ordinal()].addAndGet(n); // reset on purpose while writing: drop from now on
                        continue;
                    }
                    passed += n;
                    count.addAndGet(n);
                }
            } catch (IOException e) {
                if (reset == sideOf(from)) {
                    endOfDirection(); // the side reset on purpose sends nothing more: this direction is over
                } else {
                    abortBoth(); // a failure the proxy did not inject: pass it on to both sides
                }
            } catch (InterruptedException e) {
                abortBoth();
            }
        }

        private long nextTrigger(Faults faults, long passed, boolean stalled, boolean halfClosed) {
            long next = Long.MAX_VALUE;
            if (!stalled && faults.stallAt() > passed) {
                next = Math.min(next, faults.stallAt());
            }
            if (!halfClosed && faults.halfCloseAt() > passed) {
                next = Math.min(next, faults.halfCloseAt());
            }
            if (reset == null && faults.resetAt() > passed) {
                next = Math.min(next, faults.resetAt());
            }
            return next;
        }

        private synchronized void endOfDirection() {
            if (++finished == 2) {
                quietClose(client);
                quietClose(upstream);
            }
        }

        /**
         * Resets {@code side}; the other side gets a clean FIN after what was already passed to it, and what
         * it sends from now on is read and dropped (so that its close stays clean too).
         */
        private synchronized void reset(Side side) throws IOException {
            reset = side;
            abort(socket(side));
            Socket other = socket(side == Side.CLIENT ? Side.SERVER : Side.CLIENT);
            if (!other.isOutputShutdown()) {
                other.shutdownOutput();
            }
        }

        synchronized void abortBoth() {
            abort(client);
            abort(upstream);
        }
    }

    /** Closes with SO_LINGER 0: the other end gets a reset (RST). Does nothing if already closed. */
    private static void abort(Socket socket) {
        if (socket.isClosed()) {
            return;
        }
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closed meanwhile
        }
        quietClose(socket);
    }

    private static void quietClose(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Stops accepting, resets every connection still open and waits for every proxy thread to end. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        for (Connection connection : connections) {
            connection.abortBoth();
        }
        for (Thread thread : threads) {
            thread.interrupt(); // ends a stall or a delay early
        }
        try {
            for (Thread thread : threads) {
                thread.join(5000);
                if (thread.isAlive()) {
                    throw new IllegalStateException(thread.getName() + " did not end");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
