package dev.asyncsocket.netty;

import dev.asyncsocket.netty.testing.EachTransport;
import dev.asyncsocket.netty.testing.Polling;
import dev.asyncsocket.netty.testing.WarningRecorder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile peers at a listener (issue 9): what waits for accept is bounded, as a backlog bounds it. */
class ListenerBacklogTest {

    private static final int BOUND = 16;
    private static final int PEERS = 200;
    /** Descriptors the process may open meanwhile for reasons of its own (class loading, the JIT). */
    private static final int SLACK = 8;

    @EachTransport
    void peersThatSentAndLeftHoldAtMostTheBoundOfDescriptors(NettyTransport transport) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0, BOUND)) {
            long before = descriptorsAfterAWarmUp(listener);
            peersSendAndLeave(listener, false, before);
            // The peers only half-closed: a live connection each, which waits for accept.
            Polling.awaitTrue(() -> listener.pendingCount() == BOUND, () -> listener.pendingCount() + " wait, not " + BOUND);
            long after = descriptors();
            assertTrue(after <= before + BOUND + SLACK, (after - before) + " more descriptors for " + PEERS + " peers");

            int handedOut = acceptAll(listener, BOUND, Acceptor.BLOCKING).size();
            if (transport == NettyTransport.IO_URING) {
                // Its multishot accept took the peers beyond the bound at once, and the listener closed those.
                assertTrue(handedOut >= BOUND, handedOut + " connections handed out");
            } else { // the others waited in the kernel's backlog
                assertEquals(PEERS, handedOut, "connections handed out");
            }
            assertEquals(0, listener.pendingCount());
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void connectionsWhosePeersResetBeforeAcceptAreClosedInsteadOfHandedOut(NettyTransport transport)
            throws Exception {
        resetPeersAreClosedInsteadOfHandedOut(transport, Acceptor.BLOCKING);
    }

    @EachTransport
    void connectionsWhosePeersResetBeforeAcceptAsyncAreClosedInsteadOfHandedOut(NettyTransport transport)
            throws Exception {
        resetPeersAreClosedInsteadOfHandedOut(transport, Acceptor.ASYNC);
    }

    private static void resetPeersAreClosedInsteadOfHandedOut(NettyTransport transport, Acceptor acceptor)
            throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0, BOUND);
             WarningRecorder warnings = WarningRecorder.start()) {
            long before = descriptorsAfterAWarmUp(listener);
            peersSendAndLeave(listener, true, before);

            int handedOut = acceptAll(listener, BOUND, acceptor).size();
            // NIO cannot tell a reset without reading: there every connection is handed out.
            assertEquals(transport == NettyTransport.NIO ? PEERS : 0, handedOut, "connections handed out");
            assertEquals(0, listener.pendingCount());
            Polling.awaitTrue(() -> descriptors() <= before + SLACK,
                    () -> (descriptors() - before) + " more descriptors once " + PEERS + " peers reset");
            assertEquals(List.of(), warnings.warnings(), "a peer that resets cannot flood the log");
        } finally {
            engine.decRef();
        }
    }

    @EachTransport
    void livePeersBeyondTheBoundWaitInTheKernelUntilAcceptMakesRoom(NettyTransport transport) throws Exception {
        livePeersBeyondTheBoundWaitUntilAnAcceptMakesRoom(transport, Acceptor.BLOCKING);
    }

    @EachTransport
    void livePeersBeyondTheBoundWaitInTheKernelUntilAcceptAsyncMakesRoom(NettyTransport transport) throws Exception {
        livePeersBeyondTheBoundWaitUntilAnAcceptMakesRoom(transport, Acceptor.ASYNC);
    }

    private static void livePeersBeyondTheBoundWaitUntilAnAcceptMakesRoom(NettyTransport transport, Acceptor acceptor)
            throws Exception {
        int bound = 4;
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 1);
        List<Socket> peers = new ArrayList<>();
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0, bound)) {
            for (int i = 0; i < 3 * bound; i++) {
                peers.add(connect(listener));
            }
            Polling.awaitTrue(() -> listener.pendingCount() == bound, () -> listener.pendingCount() + " wait, not " + bound);
            List<Integer> acceptedPorts = acceptAll(listener, bound, acceptor);
            if (transport == NettyTransport.IO_URING) {
                // Its multishot accept took the peers beyond the bound from the kernel: those are closed, not kept.
                assertTrue(acceptedPorts.size() >= bound, acceptedPorts.size() + " accepted");
                for (Socket peer : peers) {
                    if (!acceptedPorts.contains(peer.getLocalPort())) {
                        assertClosedByTheListener(peer);
                    }
                }
            } else {
                assertEquals(peers.size(), acceptedPorts.size(), "peers accepted");
                for (Socket peer : peers) {
                    assertTrue(acceptedPorts.contains(peer.getLocalPort()), "a peer was not accepted");
                }
            }
        } finally {
            for (Socket peer : peers) {
                peer.close();
            }
            engine.decRef();
        }
    }

    /**
     * Connects {@link #PEERS} peers, one after the other, that each send a byte and leave with a FIN or a reset;
     * checks that no more than {@link #BOUND} connections waited for accept meanwhile.
     */
    private static void peersSendAndLeave(NettySocketListener listener, boolean reset, long descriptorsBefore)
            throws IOException {
        int mostWaiting = 0;
        for (int i = 0; i < PEERS; i++) {
            try (Socket peer = connect(listener)) {
                peer.getOutputStream().write(i);
                if (reset) {
                    peer.setSoLinger(true, 0);
                }
            }
            mostWaiting = Math.max(mostWaiting, listener.pendingCount());
        }
        long held = descriptors() - descriptorsBefore;
        assertTrue(mostWaiting <= BOUND, mostWaiting + " connections waited for accept, " + held + " descriptors");
    }

    /** How a test takes the next connection: {@code null} if none arrives within a second. */
    private interface Acceptor {
        NettySocketTransport next(NettySocketListener listener) throws Exception;

        Acceptor BLOCKING = listener -> listener.accept(1000);
        Acceptor ASYNC = listener -> {
            CompletableFuture<NettySocketTransport> accepted = listener.acceptAsync();
            try {
                return accepted.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                return accepted.cancel(false) ? null : accepted.join(); // it may have come meanwhile
            }
        };
    }

    /**
     * Accepts until none arrives within a second, closing each connection; checks that each was active and that
     * no more than {@code bound} waited. Returns the peers' ports.
     */
    private static List<Integer> acceptAll(NettySocketListener listener, int bound, Acceptor acceptor)
            throws Exception {
        List<Integer> peerPorts = new ArrayList<>();
        NettySocketTransport accepted;
        while ((accepted = acceptor.next(listener)) != null) {
            assertTrue(accepted.channel().isActive(), "a connection that is no longer active was handed out");
            assertTrue(listener.pendingCount() <= bound, listener.pendingCount() + " wait");
            peerPorts.add(((InetSocketAddress) accepted.channel().remoteAddress()).getPort());
            closeAndWait(accepted);
        }
        return peerPorts;
    }

    private static void closeAndWait(NettySocketTransport accepted) {
        assertTrue(accepted.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS), "closing took over 5 s");
    }

    private static Socket connect(NettySocketListener listener) throws IOException {
        Socket peer = new Socket();
        peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5000);
        return peer;
    }

    /** The process's open descriptors once a first connection made whatever a connection needs the first time. */
    private static long descriptorsAfterAWarmUp(NettySocketListener listener) throws IOException {
        try (Socket peer = connect(listener)) {
            NettySocketTransport accepted = listener.accept(5000);
            assertNotNull(accepted);
            closeAndWait(accepted);
        }
        return descriptors();
    }

    private static long descriptors() {
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            return open.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertClosedByTheListener(Socket peer) throws IOException {
        peer.setSoTimeout(5000);
        try (InputStream in = peer.getInputStream()) {
            assertEquals(-1, in.read(), "a peer neither accepted nor closed");
        } catch (SocketException reset) {
            // closed as well
        }
    }
}
