package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Cidr;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.relay.IdleCloser;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up every accepted explicit-proxy connection: refuses clients outside the allowed networks and
 * connections beyond the limit (closing only that connection), then starts HTTP parsing so the
 * router can see CONNECT or an absolute-URI request.
 */
public final class ExplicitProxyInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger log = LoggerFactory.getLogger(ExplicitProxyInitializer.class);

    private final GatewayServices services;
    private final List<Cidr> allowedClients;

    public ExplicitProxyInitializer(GatewayServices services) {
        this.services = services;
        this.allowedClients = services.config().listener().allowedClientNetworks();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        InetSocketAddress remote = ch.remoteAddress();
        if (allowedClients.stream().noneMatch(c -> c.contains(remote.getAddress()))) {
            log.warn("refused connection from {}: not in listener.allowed-clients", remote);
            ch.close();
            return;
        }
        int limit = services.config().limits().maxConnections();
        if (services.openConnections().incrementAndGet() > limit) {
            services.openConnections().decrementAndGet();
            log.warn("refused connection from {}: limits.max-connections ({}) reached", remote, limit);
            ch.close();
            return;
        }
        Session session = new Session(services.nextConnectionId(), ch, services.accessLog());
        ch.attr(Session.KEY).set(session);
        ch.closeFuture().addListener(f -> {
            services.openConnections().decrementAndGet();
            session.logClosed();
        });
        var limits = services.config().limits();
        ch.pipeline()
                .addLast("bytes", session.counter())
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("idle-close", IdleCloser.INSTANCE)
                .addLast("http", new HttpServerCodec(limits.maxInitialLineLength(), limits.maxHeaderSize(), 64 * 1024))
                .addLast("router", new ProxyRequestRouter(services));
    }
}
