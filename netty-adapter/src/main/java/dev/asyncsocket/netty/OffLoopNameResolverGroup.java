package dev.asyncsocket.netty;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * How the connects of {@link NettySocketTransport} resolve their host: an IP literal is taken as it is, on the
 * spot; a host name is looked up by the JDK ({@link InetAddress}, which blocks) on {@code lookups}, never on an
 * event loop. Netty's default resolver looks names up on the channel's loop, so one slow DNS answer would stall
 * every socket of that loop, and {@code connectAsync} promises not to block. The lookup's outcome completes the
 * connect's promise, whose listeners Netty runs on the loop.
 *
 * <p>Lookups run on {@link #LOOKUPS}, up to {@link #LOOKUP_THREADS} at a time, on daemon threads of their own,
 * started on demand, that end once idle for a second: an engine that ended leaves no thread of this behind for
 * long. Not on Netty's {@code GlobalEventExecutor}: its one thread also runs what is left of this library's
 * callbacks once an engine has ended, and callers' tasks, so a lookup queued there behind a task that waits for
 * the connect (a blocking {@code connect} made from such a callback) would never run, and one slow DNS answer
 * would hold all of them. Thread-safe.
 */
final class OffLoopNameResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    /** How many lookups may wait for DNS at once; the others queue. */
    static final int LOOKUP_THREADS = 4;

    /** Where every connect of this library looks its host name up. */
    static final ThreadPoolExecutor LOOKUPS = lookupThreads();

    static final OffLoopNameResolverGroup INSTANCE = new OffLoopNameResolverGroup(LOOKUPS);

    private final Executor lookups;

    OffLoopNameResolverGroup(Executor lookups) {
        this.lookups = lookups;
    }

    private static ThreadPoolExecutor lookupThreads() {
        ThreadPoolExecutor threads = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory("async-socket-lookup", true));
        threads.allowCoreThreadTimeOut(true);
        return threads;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        return new OffLoopNameResolver(loop, lookups).asAddressResolver();
    }

    /** A blocking lookup, as the JDK does it. */
    @FunctionalInterface
    private interface Lookup<T> {
        T lookUp(String host) throws UnknownHostException;
    }

    private static final class OffLoopNameResolver extends InetNameResolver {

        private final Executor lookups;

        OffLoopNameResolver(EventExecutor loop, Executor lookups) {
            super(loop);
            this.lookups = lookups;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
            if (literal != null) {
                promise.setSuccess(literal);
            } else {
                lookUpOffLoop(host, promise, InetAddress::getByName);
            }
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
            if (literal != null) {
                promise.setSuccess(List.of(literal));
            } else {
                lookUpOffLoop(host, promise, name -> Arrays.asList(InetAddress.getAllByName(name)));
            }
        }

        private <T> void lookUpOffLoop(String host, Promise<T> promise, Lookup<T> lookup) {
            try {
                lookups.execute(() -> {
                    try {
                        promise.trySuccess(lookup.lookUp(host));
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RuntimeException refused) {
                promise.tryFailure(refused);
            }
        }
    }
}
