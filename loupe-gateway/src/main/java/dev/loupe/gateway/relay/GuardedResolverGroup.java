package dev.loupe.gateway.relay;

import dev.loupe.core.net.DestinationGuard;
import dev.loupe.gateway.relay.ForbiddenDestinationException;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * Resolves like the resolver it wraps, then refuses addresses the {@link DestinationGuard} forbids. Checking
 * the resolved address (not the name) is what stops a name that points at 127.0.0.1 from reaching the
 * gateway's own host.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {
    private final AddressResolverGroup<InetSocketAddress> inner;
    private final DestinationGuard guard;
    /** Counts each refusal (loupe_refusals_total{reason="forbidden-destination"}). */
    private final Runnable onForbidden;

    GuardedResolverGroup(AddressResolverGroup<InetSocketAddress> inner, DestinationGuard guard, Runnable onForbidden) {
        this.inner = inner;
        this.guard = guard;
        this.onForbidden = onForbidden;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new Checking(executor, inner.getResolver(executor), guard, onForbidden);
    }

    @Override
    public void close() {
        super.close();
        inner.close();
    }

    private static final class Checking extends AbstractAddressResolver<InetSocketAddress> {
        private final AddressResolver<InetSocketAddress> inner;
        private final DestinationGuard guard;
        private final Runnable onForbidden;

        Checking(EventExecutor executor, AddressResolver<InetSocketAddress> inner, DestinationGuard guard,
                 Runnable onForbidden) {
            super(executor, InetSocketAddress.class);
            this.inner = inner;
            this.guard = guard;
            this.onForbidden = onForbidden;
        }

        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
            return !address.isUnresolved();
        }

        @Override
        protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
            inner.resolve(unresolved).addListener((Future<InetSocketAddress> f) -> {
                if (!f.isSuccess()) {
                    promise.tryFailure(f.cause());
                    return;
                }
                Optional<String> refusal = guard.refuse(f.getNow());
                if (refusal.isPresent()) {
                    onForbidden.run();
                    promise.tryFailure(new ForbiddenDestinationException(unresolved.getHostString() + ": "
                            + refusal.get()));
                } else {
                    promise.trySuccess(f.getNow());
                }
            });
        }

        @Override
        protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
            inner.resolveAll(unresolved).addListener((Future<List<InetSocketAddress>> f) -> {
                if (!f.isSuccess()) {
                    promise.tryFailure(f.cause());
                    return;
                }
                List<InetSocketAddress> allowed = f.getNow().stream().filter(a -> guard.refuse(a).isEmpty()).toList();
                if (allowed.isEmpty() && !f.getNow().isEmpty()) {
                    onForbidden.run();
                    promise.tryFailure(new ForbiddenDestinationException(unresolved.getHostString() + ": "
                            + guard.refuse(f.getNow().get(0)).orElse("refused")));
                } else {
                    promise.trySuccess(allowed);
                }
            });
        }
    }
}
