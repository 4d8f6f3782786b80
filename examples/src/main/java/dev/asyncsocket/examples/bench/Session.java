package dev.asyncsocket.examples.bench;

import dev.asyncsocket.netty.NettyTransport;
import io.netty.channel.EventLoopGroup;

/**
 * One stack's client, connected to a peer of its own, for one workload: what that stack's rounds of the
 * workload run on. Opened and closed by the main thread.
 */
final class Session implements AutoCloseable {

    private final Stack stack;
    private final Peer peer;
    private final Driver driver;
    private final Client client;

    private Session(Stack stack, Peer peer, Driver driver, Client client) {
        this.stack = stack;
        this.peer = peer;
        this.driver = driver;
        this.client = client;
    }

    static Session open(Stack stack, Workload workload, EventLoopGroup peerGroup, NettyTransport transport)
            throws Exception {
        Peer peer = Peer.listen(peerGroup, transport, workload.peerMode());
        try {
            Driver driver = workload.newDriver();
            Client client = stack.connect(workload, peer.port(), driver);
            driver.attach(client);
            peer.awaitConnected();
            return new Session(stack, peer, driver, client);
        } catch (Exception | Error e) {
            peer.close();
            throw e;
        }
    }

    Stack stack() {
        return stack;
    }

    Workload workload() {
        return driver.workload();
    }

    Peer peer() {
        return peer;
    }

    Driver driver() {
        return driver;
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            peer.close();
        }
    }
}
