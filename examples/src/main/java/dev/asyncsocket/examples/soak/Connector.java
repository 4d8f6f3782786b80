package dev.asyncsocket.examples.soak;

import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketListener;
import dev.asyncsocket.netty.NettySocketTransport;
import io.netty.channel.EventLoop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Makes the soak's connections on one engine, each a transport with a blocking peer at its other end: either
 * connected by the engine to the peers' server, or connected by the peer to the engine's listener and accepted.
 * One at a time, so that each accept returns the connection just made. Thread-safe.
 */
final class Connector implements AutoCloseable {

    private final NettyExecutionEngine engine;
    private final Consumer<String> problems;
    private final ServerSocket peerServer;
    private final NettySocketListener listener;
    private final ReentrantLock lock = new ReentrantLock();

    Connector(NettyExecutionEngine engine, Consumer<String> problems) throws IOException {
        this.engine = engine;
        this.problems = problems;
        this.peerServer = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        peerServer.setSoTimeout(5000);
        this.listener = NettySocketListener.listen(engine, "127.0.0.1", 0);
    }

    /** A fresh connection, made by the engine or accepted by its listener; null on failure (a problem if unexpected). */
    Wire connect(boolean byEngine) {
        NettySocketTransport transport = null;
        Socket peer = null;
        lock.lock();
        try {
            if (byEngine) {
                transport = NettySocketTransport.connect(engine, "127.0.0.1", peerServer.getLocalPort(), 5000);
                peer = transport == null ? null : peerServer.accept();
                if (peer != null && peer.getPort() != ((InetSocketAddress) transport.channel().localAddress()).getPort()) {
                    throw new IOException("accepted a connection that is not the one just made");
                }
            } else {
                peer = new Socket();
                peer.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()), 5000);
                transport = listener.accept(5000);
                if (transport != null && peer.getLocalPort() != ((InetSocketAddress) transport.channel().remoteAddress()).getPort()) {
                    throw new IOException("accepted a connection that is not the one just made");
                }
            }
        } catch (IOException e) {
            problems.accept("connection setup failed: " + e);
            transport = close(transport, peer);
        } finally {
            lock.unlock();
        }
        if (transport == null || peer == null) {
            close(transport, peer);
            return null;
        }
        return new Wire(transport, peer);
    }

    /** A fresh connection whose channel runs on {@code loop}, or null if eight in a row landed elsewhere. */
    Wire connectOn(EventLoop loop) {
        for (int attempt = 0; attempt < 8; attempt++) {
            Wire wire = connect(attempt % 2 == 0);
            if (wire == null || wire.transport().channel().eventLoop() == loop) {
                return wire;
            }
            wire.close();
        }
        problems.accept("eight connections in a row landed on other event loops than " + loop);
        return null;
    }

    private static NettySocketTransport close(NettySocketTransport transport, Socket peer) {
        if (transport != null) {
            transport.channel().close();
        }
        if (peer != null) {
            RaceSoak.quietClose(peer);
        }
        return null;
    }

    @Override
    public void close() {
        listener.close();
        RaceSoak.quietClose(peerServer);
    }
}
