package dev.asyncsocket.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own asynchronous sockets: {@link AsynchronousSocketChannel} in a group of one thread (which both
 * waits for I/O and runs the completion handlers), {@code TCP_NODELAY}. The JDK picks its own I/O mechanism
 * (epoll on Linux), whatever the Netty transport of the run. Used from the main thread.
 */
final class JdkStack implements Stack {

    static final String NAME = "JDK";
    private static final int TIMEOUT_MS = 5000;

    private final AsynchronousChannelGroup group;
    /** The group's one thread, as its factory made it. */
    private volatile Thread thread;

    JdkStack() {
        try {
            this.group = AsynchronousChannelGroup.withFixedThreadPool(1, task -> {
                Thread made = new Thread(task, "bench-jdk");
                made.setDaemon(true);
                thread = made;
                return made;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Client connect(Workload workload, int port, ClientEvents events) throws Exception {
        AsynchronousSocketChannel channel = AsynchronousSocketChannel.open(group);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress("127.0.0.1", port)).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            channel.close();
            throw e;
        }
        return JdkClient.start(channel, workload, events);
    }

    @Override
    public Thread clientThread() {
        return thread;
    }

    @Override
    public void close() {
        try {
            group.shutdownNow();
            if (!group.awaitTermination(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new BenchmarkFailure("JDK channel group did not terminate");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
