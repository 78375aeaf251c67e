package dev.loupe.gateway.proxy;

import dev.loupe.gateway.GatewayServices;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * Sets up every accepted explicit-proxy connection: admission, then HTTP parsing so the router can
 * see CONNECT or an absolute-URI request.
 */
public final class ExplicitProxyInitializer extends ChannelInitializer<SocketChannel> {
    private final java.util.function.Supplier<GatewayServices> current;
    private final AllowedClients allowedClients = new AllowedClients(c -> c.listener().allowedClientNetworks());

    /** {@code current}: the configuration snapshot a new connection starts on (a reload replaces it). */
    public ExplicitProxyInitializer(java.util.function.Supplier<GatewayServices> current) {
        this.current = current;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        GatewayServices services = current.get();
        if (ConnectionAdmission.admit(services, ch, allowedClients.of(services.config()), "explicit") == null) {
            return;
        }
        var limits = services.config().limits();
        ch.pipeline()
                .addLast("own-head", new OwnHeadNormaliser(limits.maxInitialLineLength() + limits.maxHeaderSize()))
                .addLast("http", dev.loupe.gateway.http.HttpCodecs.server(limits.maxInitialLineLength(), limits.maxHeaderSize()))
                .addLast(dev.loupe.gateway.http.RequestHeadTimeout.NAME, new dev.loupe.gateway.http.RequestHeadTimeout(
                        limits.requestHeadTimeout(), services.defences()))
                .addLast("router", new ProxyRequestRouter(services));
    }
}
