package dev.asyncsocket.examples;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketListener;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An echo server and client over loopback in one process, both on {@link AsyncSocket}: the client sends
 * a few messages (each as two buffers), the server echoes whatever it receives, and the client prints what
 * it sent, what came back and how long each round trip took.
 *
 * <p>Usage: {@code EchoDemo [NIO|EPOLL|IO_URING] [messages]}; default: the best transport, 5 messages.
 */
public final class EchoDemo {

    private static final long TIMEOUT_SECONDS = 10;

    private EchoDemo() {
    }

    public static void main(String[] arguments) throws Exception {
        // Maven's demo profile passes -Dexample.args as one argument: split it.
        String[] args = String.join(" ", arguments).trim().split("\\s+");
        NettyTransport transport = !args[0].isEmpty() ? NettyTransport.valueOf(args[0].toUpperCase()) : NettyTransport.best();
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        NettyExecutionEngine engine = NettyExecutionEngine.create(transport, 2);
        if (engine == null) {
            System.err.println(transport + " is not available here");
            System.exit(2);
        }
        System.out.printf("transport %s, %d messages%n", transport, messages);
        try (NettySocketListener listener = NettySocketListener.listen(engine, "127.0.0.1", 0)) {
            NettySocketTransport clientTransport = NettySocketTransport.connect(engine, "127.0.0.1", listener.port(), 5000);
            NettySocketTransport serverTransport = listener.accept(5000);
            AsyncSocket server = open(NettyAsyncSocket.create(engine), serverTransport);
            AsyncSocket client = open(NettyAsyncSocket.create(engine), clientTransport);
            new EchoServer(server).start();

            long started = System.nanoTime();
            for (int i = 1; i <= messages; i++) {
                String text = "hello #" + i + " from async-socket";
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                int half = bytes.length / 2;
                ByteBuffer[] payload = {ByteBuffer.wrap(bytes, 0, half), ByteBuffer.wrap(bytes, half, bytes.length - half)};
                long sentAt = System.nanoTime();
                CompletableFuture<SendResult> sent = new CompletableFuture<>();
                SendSyncResult accepted = client.sendAsync(payload, (ctx, result) -> sent.complete(result), null);
                if (accepted != SendSyncResult.OK || sent.get(TIMEOUT_SECONDS, TimeUnit.SECONDS) != SendResult.OK) {
                    throw new IllegalStateException("send failed: " + accepted + " / " + sent.getNow(null));
                }
                String echoed = receiveExactly(client, bytes.length);
                System.out.printf("sent %-32s received %-32s in %6.1f us%n",
                        '"' + text + '"', '"' + echoed + '"', (System.nanoTime() - sentAt) / 1e3);
                if (!echoed.equals(text)) {
                    throw new IllegalStateException("echo differs");
                }
            }
            System.out.printf("%d messages echoed in %.1f ms%n", messages, (System.nanoTime() - started) / 1e6);
            client.destroy();
            server.destroy();
        } finally {
            engine.decRef();
        }
    }

    private static AsyncSocket open(NettyAsyncSocket socket, NettySocketTransport transport) throws Exception {
        CompletableFuture<OpenResult> opened = new CompletableFuture<>();
        if (socket.openAsync(transport, (ctx, result) -> opened.complete(result), null) != 0
                || opened.get(TIMEOUT_SECONDS, TimeUnit.SECONDS) != OpenResult.OK) {
            throw new IllegalStateException("open failed");
        }
        return socket;
    }

    private static String receiveExactly(AsyncSocket socket, int length) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            CompletableFuture<ReceiveResult> received = new CompletableFuture<>();
            if (socket.receiveAsync(new ByteBuffer[] {buffer}, (ctx, result, bytes) -> received.complete(result), null) != 0
                    || received.get(TIMEOUT_SECONDS, TimeUnit.SECONDS) != ReceiveResult.OK) {
                throw new IllegalStateException("receive failed");
            }
        }
        return new String(buffer.array(), StandardCharsets.UTF_8);
    }

    /** Echoes every byte it receives, receiving again from inside each completion. */
    private static final class EchoServer {
        private final AsyncSocket socket;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

        EchoServer(AsyncSocket socket) {
            this.socket = socket;
        }

        void start() {
            buffer.clear();
            socket.receiveAsync(new ByteBuffer[] {buffer}, this::onReceived, null);
        }

        private void onReceived(Object ctx, ReceiveResult result, int bytes) {
            if (result != ReceiveResult.OK) {
                return;
            }
            buffer.flip();
            socket.sendAsync(new ByteBuffer[] {buffer}, (c, sent) -> start(), null);
        }
    }
}
