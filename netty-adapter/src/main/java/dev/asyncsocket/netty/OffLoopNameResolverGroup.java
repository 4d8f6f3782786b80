package dev.asyncsocket.netty;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * How the connects of {@link NettySocketTransport} resolve their host: an IP literal is taken as it is, on the
 * spot; a host name is looked up by the JDK ({@link InetAddress}, which blocks) on {@code lookups}, never on an
 * event loop. Netty's default resolver looks names up on the channel's loop, so one slow DNS answer would stall
 * every socket of that loop, and {@code connectAsync} promises not to block. The lookup's outcome completes the
 * connect's promise, whose listeners Netty runs on the loop.
 *
 * <p>Lookups run one after another on Netty's {@link GlobalEventExecutor}: a single thread, started on demand,
 * that ends once idle, so an engine that ended leaves no thread of this behind for long. Thread-safe.
 */
final class OffLoopNameResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    static final OffLoopNameResolverGroup INSTANCE = new OffLoopNameResolverGroup(GlobalEventExecutor.INSTANCE);

    private final Executor lookups;

    OffLoopNameResolverGroup(Executor lookups) {
        this.lookups = lookups;
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
