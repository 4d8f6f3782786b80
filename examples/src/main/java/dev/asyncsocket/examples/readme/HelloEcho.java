package dev.asyncsocket.examples.readme;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static java.util.concurrent.TimeUnit.SECONDS;

public final class HelloEcho {

    /** Sends a 2-byte length and "hello" to an echo server, and returns the 7 bytes that come back. */
    public static byte[] hello(String host, int port) throws Exception {
        NettyExecutionEngine engine = NettyExecutionEngine.create();   // event loops, best transport here
        if (engine == null) {                                          // factories return null on failure
            throw new IllegalStateException("no event loops");
        }
        AsyncSocket socket = NettyAsyncSocket.create(engine);          // takes a reference on the engine
        try {
            NettySocketTransport transport = NettySocketTransport.connectAsync(engine, host, port, 3_000)
                    .get(5, SECONDS);                                  // throws with the cause if it failed
            CompletableFuture<OpenResult> opened = new CompletableFuture<>();
            if (socket.openAsync(transport, (done, result) -> done.complete(result), opened) != 0
                    || opened.get(5, SECONDS) != OpenResult.OK) {
                throw new IllegalStateException("open failed");
            }

            ByteBuffer header = ByteBuffer.wrap(new byte[] {0, 5});
            ByteBuffer body = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<SendResult> sent = new CompletableFuture<>();
            if (socket.sendAsync(new ByteBuffer[] {header, body},          // one send, contiguous on the wire
                    (done, result) -> done.complete(result), sent) != SendSyncResult.OK
                    || sent.get(5, SECONDS) != SendResult.OK) {
                throw new IllegalStateException("send failed");
            }

            ByteBuffer in = ByteBuffer.allocate(7);
            while (in.hasRemaining()) {                                    // a receive completes on the first bytes
                CompletableFuture<ReceiveResult> received = new CompletableFuture<>();
                if (socket.receiveAsync(new ByteBuffer[] {in},
                        (done, result, n) -> done.complete(result), received) != 0
                        || received.get(5, SECONDS) != ReceiveResult.OK) { // ABANDONED: the peer ended the stream
                    throw new IllegalStateException("receive failed");
                }
            }
            return in.array();
        } finally {
            socket.close();      // pending receives complete ABANDONED; pending sends OK if written, else ABANDONED
            socket.destroy();    // releases the socket's reference on the engine
            engine.decRef();     // the last reference shuts the event loops down
        }
    }
}
