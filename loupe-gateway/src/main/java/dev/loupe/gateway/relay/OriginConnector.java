package dev.loupe.gateway.relay;

import dev.loupe.core.net.Origin;

import dev.loupe.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Opens TCP connections to origins on the client channel's own event loop, so the two sides of a
 * session never need cross-thread hand-offs. Names are resolved asynchronously by the shared resolver.
 */
public final class OriginConnector {
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    /**
     * Read sizes that adapt up to 256 KiB (Netty's default stops at 64 KiB): a bulk transfer then takes a quarter of
     * the read(2) calls and event-loop wake-ups; W3 in one A/B pair of runs: 0.88 to 0.81 s of gateway CPU per GB.
     * A connection that reads little stays at small buffers, and none is held between reads. Shared: the allocator
     * keeps no state, each channel's handle does.
     */
    public static final io.netty.channel.RecvByteBufAllocator READS =
            new io.netty.channel.AdaptiveRecvByteBufAllocator(64, 2048, 256 * 1024);

    private final Transport transport;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    /** The resolver for clients' destinations: refuses what the destination guard forbids. */
    private final AddressResolverGroup<InetSocketAddress> guarded;
    private final dev.loupe.core.net.DestinationGuard guard;
    private final Duration connectTimeout;
    private final Duration idleTimeout;

    public OriginConnector(Transport transport, AddressResolverGroup<InetSocketAddress> resolver,
                           dev.loupe.core.net.DestinationGuard guard, Runnable onForbidden, Duration connectTimeout,
                           Duration idleTimeout) {
        this.transport = transport;
        this.resolver = resolver;
        this.guard = guard;
        this.guarded = new GuardedResolverGroup(resolver, guard, onForbidden);
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Connects from {@code source}'s address (not one of ours: IP_TRANSPARENT) with routing mark {@code mark},
     * for plaintext that must cross an inline L3 device on its way back to Loupe. Reads off, like {@link #connect}.
     */
    public ChannelFuture connectTransparent(Channel client, InetSocketAddress server, InetSocketAddress source,
                                            int mark) {
        return connectTransparent(client.eventLoop(), server, source, mark);
    }

    public ChannelFuture connectTransparent(io.netty.channel.EventLoop loop, InetSocketAddress server,
                                            InetSocketAddress source, int mark) {
        return bootstrap(loop)
                .option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true)
                .option(dev.loupe.gateway.transport.Transport.SO_MARK, mark)
                .connect(server, new InetSocketAddress(source.getAddress(), 0));
    }

    /**
     * Connects to a client's destination with reads off: the caller decides what the upstream pipeline does and
     * when it reads. A destination the guard forbids fails with {@link
     * dev.loupe.gateway.relay.ForbiddenDestinationException}.
     */
    public ChannelFuture connect(Channel client, Origin origin) {
        return bootstrap(client.eventLoop())
                .resolver(guarded)
                .connect(InetSocketAddress.createUnresolved(origin.host(), origin.port()));
    }

    /** Connects to a device the operator configured (e.g. an inline proxy on loopback): not guarded. */
    public ChannelFuture connectDevice(Channel client, Origin device) {
        return bootstrap(client.eventLoop())
                .resolver(resolver)
                .connect(InetSocketAddress.createUnresolved(device.host(), device.port()));
    }

    /** The guard, for registering Loupe's own listeners once bound. */
    public dev.loupe.core.net.DestinationGuard guard() {
        return guard;
    }

    /** Reads off, no Nagle, the gateway's water marks and connect timeout, and the idle closer. */
    private Bootstrap bootstrap(io.netty.channel.EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.RECVBUF_ALLOCATOR, READS)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0,
                                idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("idle-close", IdleCloser.INSTANCE);
                    }
                });
    }
}
