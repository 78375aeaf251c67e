package dev.loupe.gateway;

import dev.loupe.core.config.ListenerConfig;
import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.config.TransparentConfig;
import dev.loupe.core.net.DestinationGuard;
import dev.loupe.gateway.proxy.ExplicitProxyInitializer;
import dev.loupe.gateway.proxy.TransparentInitializer;
import dev.loupe.gateway.relay.OriginConnector;
import dev.loupe.gateway.transport.ClientConnections;
import dev.loupe.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing listening sockets: the explicit proxy and, when on, the TPROXY listener. A reload that
 * moves one binds the new address first (a failure refuses the reload and changes nothing), then closes the
 * old socket: connections accepted on it go on, and the other listener is never touched.
 */
final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final Transport transport;
    private final EventLoopGroup loops;
    private final ClientConnections clients;
    private final DestinationGuard guard;
    private final Supplier<GatewayServices> current;
    private volatile Channel explicit;
    private volatile Channel transparent;

    Listeners(Transport transport, EventLoopGroup loops, ClientConnections clients, DestinationGuard guard,
              Supplier<GatewayServices> current) {
        this.transport = transport;
        this.loops = loops;
        this.clients = clients;
        this.guard = guard;
        this.current = current;
    }

    /** Binds what {@code config} asks for (at start). */
    void bind(LoupeConfig config) throws InterruptedException {
        explicit = bindExplicit(config.listener());
        log.info("Loupe listening on {} (explicit proxy; transport {}, {} event loops)", explicit.localAddress(),
                transport.name(), config.runtime().loops());
        if (config.transparent().enabled()) {
            transparent = bindTransparent(config.transparent());
        }
    }

    /** What a reload to {@code next} would rebind, to be {@link Rebind#commit}ted or {@link Rebind#abort}ed. */
    Rebind prepare(LoupeConfig running, LoupeConfig next) throws InterruptedException {
        Channel newExplicit = null;
        Channel newTransparent = null;
        boolean stopTransparent = false;
        try {
            if (moved(running.listener(), next.listener())) {
                newExplicit = bindExplicit(next.listener());
            }
            TransparentConfig was = running.transparent();
            TransparentConfig now = next.transparent();
            if (now.enabled() && (!was.enabled() || !Objects.equals(was.address(), now.address())
                    || !Objects.equals(was.port(), now.port()))) {
                newTransparent = bindTransparent(now);
            } else if (was.enabled() && !now.enabled()) {
                stopTransparent = true;
            }
        } catch (InterruptedException | RuntimeException e) {
            close(newExplicit);
            throw e;
        }
        return new Rebind(newExplicit, newTransparent, stopTransparent);
    }

    private static boolean moved(ListenerConfig was, ListenerConfig now) {
        return !was.address().equals(now.address()) || !was.port().equals(now.port());
    }

    /** A prepared change of listening sockets. */
    final class Rebind {
        private final Channel newExplicit;
        private final Channel newTransparent;
        private final boolean stopTransparent;

        private Rebind(Channel newExplicit, Channel newTransparent, boolean stopTransparent) {
            this.newExplicit = newExplicit;
            this.newTransparent = newTransparent;
            this.stopTransparent = stopTransparent;
        }

        void commit() {
            if (newExplicit != null) {
                Channel old = explicit;
                explicit = newExplicit;
                close(old);
                log.info("explicit proxy listener moved from {} to {}", old.localAddress(), newExplicit.localAddress());
            }
            if (newTransparent != null || stopTransparent) {
                Channel old = transparent;
                transparent = newTransparent;
                close(old);
                log.info("transparent listener {}", newTransparent == null ? "closed"
                        : "now on " + newTransparent.localAddress());
            }
        }

        void abort() {
            close(newExplicit);
            close(newTransparent);
        }
    }

    InetSocketAddress explicitAddress() {
        return (InetSocketAddress) explicit.localAddress();
    }

    /** Stops accepting (a drain, or the end); connections already accepted go on. */
    void close() {
        close(explicit);
        close(transparent);
    }

    private static void close(Channel channel) {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
    }

    private Channel bindExplicit(ListenerConfig config) throws InterruptedException {
        Channel ch = server()
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ExplicitProxyInitializer(current))
                .bind(config.address(), config.port()).sync().channel();
        guard.addListener((InetSocketAddress) ch.localAddress());
        return ch;
    }

    /** The TPROXY listener: IP_TRANSPARENT lets it accept connections addressed to any destination. */
    private Channel bindTransparent(TransparentConfig config) throws InterruptedException {
        if (!transport.name().equals("epoll")) {
            throw new IllegalStateException("transparent mode needs the epoll transport (IP_TRANSPARENT), "
                    + "which is unavailable here: " + io.netty.channel.epoll.Epoll.unavailabilityCause());
        }
        Channel ch = server()
                .option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true)
                .childHandler(new TransparentInitializer(current, config.port()))
                .bind(config.address(), config.port()).sync().channel();
        guard.addListener((InetSocketAddress) ch.localAddress());
        log.info("Loupe transparent (TPROXY) listener on {}", ch.localAddress());
        return ch;
    }

    private ServerBootstrap server() {
        return new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OriginConnector.WATER_MARK)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, OriginConnector.READS)
                .handler(clients);
    }
}
