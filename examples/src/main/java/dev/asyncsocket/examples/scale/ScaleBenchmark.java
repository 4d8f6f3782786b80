package dev.asyncsocket.examples.scale;

import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;
import dev.asyncsocket.SendSyncResult;
import dev.asyncsocket.netty.NettyAsyncSocket;
import dev.asyncsocket.netty.NettyExecutionEngine;
import dev.asyncsocket.netty.NettySocketTransport;
import dev.asyncsocket.netty.NettyTransport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.internal.PlatformDependent;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens N concurrent {@link NettyAsyncSocket}s (default 10,000) over loopback on one engine of 2 event-loop
 * threads, has each echo a message through a plain Netty echo server (no AsyncSocket), and reports: connections set up per
 * second, heap and direct memory per open socket, and the echo's latency (p50, p99, p99.9, max), both with
 * every socket echoing at once and one echo at a time.
 *
 * <p>Usage: {@code ScaleBenchmark [--connections 10000] [--transport EPOLL] [--message 64] [--rounds 3]
 * [--server auto|child|inprocess] [--connect-threads 4]} (also as one string, as Maven's
 * {@code -Dexample.args} passes it). The echo server runs in a child JVM when this process's open-file limit
 * cannot hold both ends ({@code auto}); a JVM cannot raise its own limit, so when the limit stops a run this
 * says which {@code ulimit -n} to run first. Only 127.0.0.x addresses are used; when one address would run
 * short of ephemeral ports the server listens on several.
 */
public final class ScaleBenchmark {

    private static final long TIMEOUT_SECONDS = 120;
    private static final int SLACK_FILES = 300;

    private record Options(int connections, NettyTransport transport, int message, int rounds, String server,
                           int connectThreads) {
        static Options parse(String[] args) {
            int connections = 10_000;
            NettyTransport transport = NettyTransport.best();
            int message = 64;
            int rounds = 3;
            String server = "auto";
            int connectThreads = 4;
            String[] words = String.join(" ", args).trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i += 2) {
                String value = words[i + 1];
                switch (words[i]) {
                    case "--connections": connections = Integer.parseInt(value); break;
                    case "--transport": transport = NettyTransport.valueOf(value.toUpperCase()); break;
                    case "--message": message = Integer.parseInt(value); break;
                    case "--rounds": rounds = Integer.parseInt(value); break;
                    case "--server": server = value; break;
                    case "--connect-threads": connectThreads = Integer.parseInt(value); break;
                    default: throw new IllegalArgumentException("unknown option " + words[i]);
                }
            }
            return new Options(connections, transport, message, rounds, server, connectThreads);
        }
    }

    /** One client socket and its buffers. */
    private static final class Client {
        final NettyAsyncSocket socket;
        final ByteBuffer message;
        final ByteBuffer echo;
        volatile long sentAt;

        Client(NettyAsyncSocket socket, byte[] message) {
            this.socket = socket;
            this.message = ByteBuffer.wrap(message);
            this.echo = ByteBuffer.allocate(message.length);
        }
    }

    private ScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        FileLimit limit = FileLimit.read();
        int perConnection = 2; // both ends when the server is in this process
        boolean child = options.server().equals("child")
                || (options.server().equals("auto") && limit.soft() < 2L * options.connections() + SLACK_FILES);
        if (child) {
            perConnection = 1;
        }
        long need = (long) perConnection * options.connections() + SLACK_FILES;
        int connections = options.connections();
        System.out.printf("ScaleBenchmark: %,d connections on %s, one engine of 2 event-loop threads, %d-byte messages,"
                        + " echo server %s%n", connections, options.transport(), options.message(),
                child ? "in a child JVM" : "in this JVM");
        System.out.printf("open-file limit: soft %s, hard %s (from /proc/self/limits); this run needs about %,d%n",
                limit.softText(), limit.hardText(), need);
        if (limit.soft() < need) {
            int fits = (int) Math.max(0, (limit.soft() - SLACK_FILES) / perConnection);
            System.out.printf("!! The open-file limit (%s) is too low for %,d connections: a JVM cannot raise its own"
                            + " limit. Run `ulimit -n %d` in the shell first%s. Going on with %,d connections.%n",
                    limit.softText(), connections, Math.max(65_536, need),
                    limit.hard() < need ? " (the hard limit " + limit.hardText() + " is lower still: raise it as root,"
                            + " e.g. `ulimit -Hn " + Math.max(65_536, need) + "` or /etc/security/limits.conf)" : "",
                    fits);
            connections = fits;
        }
        int addresses = addressesNeeded(connections);
        EchoServer server = child ? EchoServer.inChildJvm(options.transport(), addresses)
                : EchoServer.inThisJvm(options.transport(), addresses);
        NettyExecutionEngine engine = NettyExecutionEngine.create(options.transport(), 2);
        if (engine == null) {
            throw new IllegalStateException(options.transport() + " is not available here");
        }
        try {
            run(options, connections, engine, server);
        } finally {
            server.close();
        }
    }

    private static void run(Options options, int connections, NettyExecutionEngine engine, EchoServer server)
            throws Exception {
        Memory base = Memory.now(engine);
        System.out.printf("server: %s%n", server.describe());

        // 1. Connect every transport, then open a socket on each.
        NettySocketTransport[] transports = new NettySocketTransport[connections];
        long connectStart = System.nanoTime();
        AtomicInteger failures = new AtomicInteger();
        parallel(options.connectThreads(), connections, i -> {
            String[] address = server.address(i);
            transports[i] = NettySocketTransport.connect(engine, address[0], Integer.parseInt(address[1]), 10_000);
            if (transports[i] == null) {
                failures.incrementAndGet();
            }
        });
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        if (failures.get() > 0) {
            System.out.printf("!! %,d connects failed (out of files? ports?); check `ulimit -n` and"
                    + " /proc/sys/net/ipv4/ip_local_port_range%n", failures.get());
        }
        Memory connected = Memory.now(engine);

        Client[] clients = new Client[connections];
        byte[][] messages = new byte[connections][];
        long openStart = System.nanoTime();
        CountDownLatch opened = new CountDownLatch(connections);
        AtomicInteger openFailures = new AtomicInteger();
        parallel(options.connectThreads(), connections, i -> {
            messages[i] = new byte[options.message()];
            ThreadLocalRandom.current().nextBytes(messages[i]);
            NettyAsyncSocket socket = NettyAsyncSocket.create(engine);
            clients[i] = new Client(socket, messages[i]);
            if (transports[i] == null || socket.openAsync(transports[i], (ctx, result) -> {
                if (result != OpenResult.OK) {
                    openFailures.incrementAndGet();
                }
                opened.countDown();
            }, null) != 0) {
                openFailures.incrementAndGet();
                opened.countDown();
            }
        });
        await(opened, "opens");
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        Memory open = Memory.now(engine);
        int live = connections - failures.get() - openFailures.get();

        // 2. Every socket echoes at once, a few rounds; then one echo at a time.
        SynchronizedHistogram burst = new SynchronizedHistogram(TimeUnit.SECONDS.toNanos(120), 3);
        AtomicLong wrong = new AtomicLong();
        long burstStart = System.nanoTime();
        for (int round = 0; round < options.rounds(); round++) {
            echoAll(clients, burst, wrong);
        }
        double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
        Histogram single = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        for (int i = 0; i < Math.min(5_000, live * 2); i++) {
            Client client = clients[ThreadLocalRandom.current().nextInt(clients.length)];
            if (client.socket.state() == dev.asyncsocket.SocketState.OPEN) {
                SynchronizedHistogram one = new SynchronizedHistogram(TimeUnit.SECONDS.toNanos(120), 3);
                echo(new Client[] {client}, one, wrong);
                single.add(one);
            }
        }
        Memory afterEcho = Memory.now(engine);

        // 3. Close everything.
        long closeStart = System.nanoTime();
        parallel(options.connectThreads(), connections, i -> clients[i].socket.destroy());
        double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
        engine.decRef();
        boolean terminated = engine.eventLoopGroup().isTerminated();

        System.out.println();
        System.out.printf("sockets open at once      %,d (%,d connect failures, %,d open failures)%n", live, failures.get(),
                openFailures.get());
        System.out.printf("set-up rate               %,.0f connections/s (connect %,.0f/s in %.2f s, open %,.0f/s in %.2f s; %d threads)%n",
                connections / (connectSeconds + openSeconds), connections / connectSeconds, connectSeconds,
                connections / openSeconds, openSeconds, options.connectThreads());
        System.out.printf("memory per connection     heap %,.0f B, JDK direct %,.0f B, Netty direct %,.0f B"
                        + " (client channel; the server %s)%n",
                connected.heapPer(base, live), connected.directPer(base, live), connected.nettyDirectPer(base, live),
                server.inChild() ? "is in another JVM" : "ends are counted too");
        System.out.printf("memory per AsyncSocket    heap %,.0f B, JDK direct %,.0f B, Netty direct %,.0f B (on top of its channel)%n",
                open.heapPer(connected, live), open.directPer(connected, live), open.nettyDirectPer(connected, live));
        System.out.printf("memory per open socket    heap %,.0f B, Netty direct %,.0f B after %d echo rounds (all in: %.1f MiB heap, %.1f MiB Netty direct)%n",
                afterEcho.heapPer(base, live), afterEcho.nettyDirectPer(base, live), options.rounds(),
                (afterEcho.heap - base.heap) / 1048576.0, (afterEcho.nettyDirect - base.nettyDirect) / 1048576.0);
        System.out.printf("echo, all at once         %,d echoes in %.2f s (%,.0f/s): p50 %,.0f us, p99 %,.0f us, p99.9 %,.0f us, max %,.0f us%n",
                burst.getTotalCount(), burstSeconds, burst.getTotalCount() / burstSeconds, us(burst, 50), us(burst, 99),
                us(burst, 99.9), burst.getMaxValue() / 1e3);
        System.out.printf("echo, one at a time       %,d echoes with %,d sockets open: p50 %,.0f us, p99 %,.0f us, p99.9 %,.0f us, max %,.0f us%n",
                single.getTotalCount(), live, us(single, 50), us(single, 99), us(single, 99.9), single.getMaxValue() / 1e3);
        System.out.printf("close                     %,.0f destroys/s; engine threads ended: %s; wrong echoes: %d%n",
                connections / closeSeconds, terminated, wrong.get());
    }

    private static double us(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    private static void echoAll(Client[] clients, SynchronizedHistogram histogram, AtomicLong wrong) throws InterruptedException {
        List<Client> open = new ArrayList<>(clients.length);
        for (Client client : clients) {
            if (client != null && client.socket.state() == dev.asyncsocket.SocketState.OPEN) {
                open.add(client);
            }
        }
        echo(open.toArray(new Client[0]), histogram, wrong);
    }

    /** Each client posts its receive, sends its message, and completes when the whole echo is back. */
    private static void echo(Client[] clients, SynchronizedHistogram histogram, AtomicLong wrong) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(clients.length);
        for (Client client : clients) {
            client.echo.clear();
            receive(client, histogram, wrong, done);
            client.sentAt = System.nanoTime();
            if (client.socket.sendAsync(new ByteBuffer[] {client.message}, (ctx, result) -> {
                if (result != SendResult.OK) {
                    wrong.incrementAndGet();
                }
            }, null) != SendSyncResult.OK) {
                wrong.incrementAndGet();
                done.countDown();
            }
        }
        await(done, "echoes");
    }

    private static void receive(Client client, SynchronizedHistogram histogram, AtomicLong wrong, CountDownLatch done) {
        if (client.socket.receiveAsync(new ByteBuffer[] {client.echo}, (ctx, result, bytes) -> {
            if (result != ReceiveResult.OK) {
                wrong.incrementAndGet();
                done.countDown();
            } else if (client.echo.hasRemaining()) {
                receive(client, histogram, wrong, done); // the rest of the echo
            } else {
                histogram.recordValue(System.nanoTime() - client.sentAt);
                if (!Arrays.equals(client.echo.array(), client.message.array())) {
                    wrong.incrementAndGet();
                }
                done.countDown();
            }
        }, null) != 0) {
            wrong.incrementAndGet();
            done.countDown();
        }
    }

    private interface IndexTask {
        void run(int index) throws Exception;
    }

    /** Runs {@code task} for 0..count-1 on {@code threads} threads, each taking the next index. */
    private static void parallel(int threads, int count, IndexTask task) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    try {
                        task.run(i);
                    } catch (Exception e) {
                        throw new IllegalStateException("item " + i, e);
                    }
                }
            }, "scale-worker-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(latch.getCount() + " " + what + " still pending after " + TIMEOUT_SECONDS + " s");
        }
    }

    /** How many 127.0.0.x addresses the server needs so that no (client, server) address pair runs out of ports. */
    private static int addressesNeeded(int connections) {
        int ports = 28_000;
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String[] range = reader.readLine().trim().split("\\s+");
            ports = Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        } catch (IOException | RuntimeException e) {
            // keep the usual range
        }
        int perAddress = Math.max(1000, ports * 9 / 10);
        return Math.max(1, (connections + perAddress - 1) / perAddress);
    }

    // ------------------------------------------------------------------------------------------- memory

    /** Heap after GC, the JDK's direct buffer pool, and Netty's own direct memory, at one moment. */
    private static final class Memory {
        final long heap;
        final long direct;
        final long nettyDirect;

        private Memory(long heap, long direct, long nettyDirect) {
            this.heap = heap;
            this.direct = direct;
            this.nettyDirect = nettyDirect;
        }

        static Memory now(NettyExecutionEngine engine) {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    direct = pool.getMemoryUsed();
                }
            }
            long nettyDirect = PlatformDependent.usedDirectMemory();
            if (nettyDirect < 0 && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider) {
                nettyDirect = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
            }
            return new Memory(heap, direct, nettyDirect);
        }

        double heapPer(Memory before, int count) {
            return count == 0 ? 0 : (double) (heap - before.heap) / count;
        }

        double directPer(Memory before, int count) {
            return count == 0 ? 0 : (double) (direct - before.direct) / count;
        }

        double nettyDirectPer(Memory before, int count) {
            return count == 0 ? 0 : (double) (nettyDirect - before.nettyDirect) / count;
        }
    }

    /** The soft and hard "Max open files" of this process; -1 for unlimited. */
    private record FileLimit(long soft, long hard) {
        static FileLimit read() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                    if (line.startsWith("Max open files")) {
                        String[] words = line.substring("Max open files".length()).trim().split("\\s+");
                        return new FileLimit(parse(words[0]), parse(words[1]));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or no procfs: assume enough
            }
            return new FileLimit(Long.MAX_VALUE, Long.MAX_VALUE);
        }

        private static long parse(String word) {
            return word.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(word);
        }

        String softText() {
            return soft == Long.MAX_VALUE ? "unlimited" : String.format("%,d", soft);
        }

        String hardText() {
            return hard == Long.MAX_VALUE ? "unlimited" : String.format("%,d", hard);
        }
    }

    // ------------------------------------------------------------------------------------------- echo server

    /** A plain Netty echo server on 127.0.0.1..127.0.0.k, here or in a child JVM. */
    private static final class EchoServer implements AutoCloseable {
        private final List<String[]> addresses;
        private final Process process;
        private final Runnable stop;

        private EchoServer(List<String[]> addresses, Process process, Runnable stop) {
            this.addresses = addresses;
            this.process = process;
            this.stop = stop;
        }

        static EchoServer inThisJvm(NettyTransport transport, int count) {
            Listening listening = Listening.start(transport, count);
            return new EchoServer(listening.addresses, null, listening::close);
        }

        static EchoServer inChildJvm(NettyTransport transport, int count) throws IOException {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), EchoServerProcess.class.getName(),
                    transport.name(), String.valueOf(count))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("LISTENING")) {
                process.destroyForcibly();
                throw new IllegalStateException("the echo server did not start: " + line);
            }
            List<String[]> addresses = new ArrayList<>();
            for (String hostPort : line.substring("LISTENING".length()).trim().split("\\s+")) {
                addresses.add(hostPort.split(":"));
            }
            return new EchoServer(addresses, process, () -> { });
        }

        boolean inChild() {
            return process != null;
        }

        /** The (host, port) for the {@code i}-th connection. */
        String[] address(int i) {
            return addresses.get(i % addresses.size());
        }

        String describe() {
            StringBuilder text = new StringBuilder(inChild() ? "child JVM pid " + process.pid() + " on" : "this JVM on");
            addresses.forEach(a -> text.append(' ').append(a[0]).append(':').append(a[1]));
            return text.toString();
        }

        @Override
        public void close() throws IOException {
            stop.run();
            if (process != null) {
                process.getOutputStream().close(); // the child ends when its stdin closes
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The echo server's sockets: a plain Netty server (no AsyncSocket, so that only the client side is
     * measured) on one event-loop thread, listening on 127.0.0.1..127.0.0.k.
     */
    private static final class Listening {
        final EventLoopGroup group;
        final List<Channel> servers = new ArrayList<>();
        final List<String[]> addresses = new ArrayList<>();

        private Listening(EventLoopGroup group) {
            this.group = group;
        }

        static Listening start(NettyTransport transport, int count) {
            Listening listening = new Listening(new MultiThreadIoEventLoopGroup(1, ioHandlerFactory(transport)));
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(listening.group)
                    .channel(serverChannelType(transport))
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(Echo.INSTANCE);
            for (int i = 1; i <= count; i++) {
                String host = "127.0.0." + i;
                Channel server = bootstrap.bind(host, 0).syncUninterruptibly().channel();
                listening.servers.add(server);
                listening.addresses.add(new String[] {host, String.valueOf(((InetSocketAddress) server.localAddress()).getPort())});
            }
            return listening;
        }

        void close() {
            servers.forEach(server -> server.close().syncUninterruptibly());
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }

        private static IoHandlerFactory ioHandlerFactory(NettyTransport transport) {
            switch (transport) {
                case EPOLL: return EpollIoHandler.newFactory();
                case IO_URING: return IoUringIoHandler.newFactory();
                default: return NioIoHandler.newFactory();
            }
        }

        private static Class<? extends ServerChannel> serverChannelType(NettyTransport transport) {
            switch (transport) {
                case EPOLL: return EpollServerSocketChannel.class;
                case IO_URING: return IoUringServerSocketChannel.class;
                default: return NioServerSocketChannel.class;
            }
        }
    }

    /** Writes back whatever it reads. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The echo server as a process of its own: prints where it listens, runs until its stdin closes. */
    public static final class EchoServerProcess {
        private EchoServerProcess() {
        }

        public static void main(String[] args) throws IOException {
            Listening listening = Listening.start(NettyTransport.valueOf(args[0]), Integer.parseInt(args[1]));
            StringBuilder line = new StringBuilder("LISTENING");
            listening.addresses.forEach(a -> line.append(' ').append(a[0]).append(':').append(a[1]));
            System.out.println(line);
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our stdin (or exits)
            }
            listening.close();
            System.exit(0);
        }
    }
}
