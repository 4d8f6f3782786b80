package dev.asyncsocket.examples.soak;

import dev.asyncsocket.netty.NettySocketTransport;

import java.net.Socket;

/** A connected transport and the blocking peer socket at its other end. */
record Wire(NettySocketTransport transport, Socket peer) {

    /** Closes both ends: for a wire whose transport no socket took (a socket that took it closes it itself). */
    void close() {
        transport.channel().close();
        RaceSoak.quietClose(peer);
    }
}
