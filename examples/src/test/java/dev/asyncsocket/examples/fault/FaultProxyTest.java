package dev.asyncsocket.examples.fault;

import dev.asyncsocket.examples.fault.FaultProxy.Direction;
import dev.asyncsocket.examples.fault.FaultProxy.Faults;
import dev.asyncsocket.examples.fault.FaultProxy.Side;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy itself, between two plain blocking sockets: the faults are what they claim to be, and no more. */
@DisplayName("The fault proxy")
class FaultProxyTest {

    private static final long WAIT = 30;

    @Test
    @DisplayName("with no faults passes both streams unchanged and passes each FIN on")
    void withNoFaultsPassesBothStreamsUnchangedAndEachFinOn() throws Exception {
        byte[] up = Streams.pattern(1, Streams.MIB / 4);
        byte[] down = Streams.pattern(2, Streams.MIB);
        try (Ends ends = Ends.through(Faults.none().oneByteSegments().delayEachChunk(Duration.ofMillis(1)), Faults.none())) {
            var serverRead = Peer.readToEnd(ends.server);
            var clientRead = Peer.readToEnd(ends.client);
            Peer.write(ends.client, up, true);
            Peer.write(ends.server, down, true);
            Peer.Read atServer = serverRead.get(WAIT, TimeUnit.SECONDS);
            Peer.Read atClient = clientRead.get(WAIT, TimeUnit.SECONDS);
            assertNull(atServer.failure());
            assertNull(atClient.failure());
            assertArrayEquals(up, atServer.bytes());
            assertArrayEquals(down, atClient.bytes());
        }
    }

    @Test
    @DisplayName("half-closing one direction ends it after exactly the bytes passed, and leaves the other open")
    void halfClosingOneDirectionEndsItAfterExactlyTheBytesPassed() throws Exception {
        byte[] down = Streams.pattern(3, Streams.MIB);
        byte[] up = Streams.pattern(4, 1000);
        try (Ends ends = Ends.through(Faults.none(), Faults.none().halfCloseAfter(12_345))) {
            var clientRead = Peer.readToEnd(ends.client);
            Peer.write(ends.server, down, false);
            Peer.Read atClient = clientRead.get(WAIT, TimeUnit.SECONDS);
            assertNull(atClient.failure());
            assertArrayEquals(Arrays.copyOf(down, 12_345), atClient.bytes());

            var serverRead = Peer.readToEnd(ends.server);
            Peer.write(ends.client, up, true);
            assertArrayEquals(up, serverRead.get(WAIT, TimeUnit.SECONDS).bytes());
        }
    }

    @Test
    @DisplayName("resetting one side gives it a reset and the other a clean end after exactly the bytes passed")
    void resettingOneSideGivesItAResetAndTheOtherACleanEnd() throws Exception {
        byte[] up = Streams.pattern(5, Streams.MIB);
        try (Ends ends = Ends.through(Faults.none().resetAfter(100_000, Side.CLIENT), Faults.none())) {
            var serverRead = Peer.readToEnd(ends.server);
            var clientRead = Peer.readToEnd(ends.client);
            var clientWrote = Peer.write(ends.client, up, false);
            ends.proxy.faulted(Direction.TO_SERVER).get(WAIT, TimeUnit.SECONDS);
            Peer.Read atServer = serverRead.get(WAIT, TimeUnit.SECONDS);
            assertNull(atServer.failure());
            assertArrayEquals(Arrays.copyOf(up, 100_000), atServer.bytes());
            // The reset shows on whichever of the client's calls meets it first: on Linux the error is reported
            // once, so if the writer gets it, the reader then sees a plain end of stream.
            Peer.Read atClient = clientRead.get(WAIT, TimeUnit.SECONDS);
            Peer.Written clientWrites = clientWrote.get(WAIT, TimeUnit.SECONDS);
            assertTrue(isReset(atClient.failure()) || isReset(clientWrites.failure()),
                    "the client's read ended with " + atClient.failure() + ", its writes with " + clientWrites.failure());
            assertEquals(100_000, ends.proxy.forwarded(Direction.TO_SERVER));
        }
    }

    private static boolean isReset(Exception failure) {
        return failure != null && failure.getMessage() != null && failure.getMessage().contains("reset");
    }

    /** A plain client and server socket with the proxy between them. */
    private static final class Ends implements AutoCloseable {
        final ServerSocket listener;
        final FaultProxy proxy;
        final Socket client;
        final Socket server;

        private Ends(Faults toServer, Faults toClient) throws Exception {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            listener.setSoTimeout(10_000);
            proxy = FaultProxy.start(listener.getLocalPort(), toServer, toClient);
            client = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
            server = listener.accept();
            client.setSoTimeout(20_000);
            server.setSoTimeout(20_000);
        }

        static Ends through(Faults toServer, Faults toClient) throws Exception {
            return new Ends(toServer, toClient);
        }

        @Override
        public void close() throws java.io.IOException {
            client.close();
            server.close();
            proxy.close();
            listener.close();
        }
    }
}
