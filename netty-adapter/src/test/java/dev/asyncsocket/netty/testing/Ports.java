package dev.asyncsocket.netty.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports for tests. */
public final class Ports {

    private Ports() {
    }

    /** A loopback port that was just free and that nobody listens on: a connect to it is refused. */
    public static int nobodyListens() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * A loopback listener that never answers a new connection, as an unroutable address does not: it never
     * accepts and its accept queue is full, so the kernel drops every further SYN. Loopback only, unlike an
     * address of another network.
     */
    public static Silent thatNeverAnswers() throws IOException {
        Silent silent = new Silent(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()), new ArrayList<>());
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            silent.fillers.add(filler);
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.port()), 500);
            } catch (SocketTimeoutException dropped) {
                return silent; // the queue is full: the next SYN is dropped too
            }
        }
        silent.close();
        throw new IllegalStateException("16 connections were queued on a listener with a backlog of 1");
    }

    /** A listener and the connections that fill its accept queue. */
    public record Silent(ServerSocket listener, List<Socket> fillers) implements AutoCloseable {

        public int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket filler : fillers) {
                filler.close();
            }
            listener.close();
        }
    }
}
