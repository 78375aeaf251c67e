package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Cidr;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelay;
import dev.loupe.gateway.http.HttpRelays;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.List;

/**
 * The return listener: inline devices send the requests Loupe gave them back here, as to a parent proxy.
 * Each request must name a live flow; it then goes, re-encrypted and validated, to that flow's origin.
 */
public final class ReturnListenerInitializer extends ChannelInitializer<SocketChannel> {
    /** The snapshot new connections start on: a reload's stages (ICAP after the device) reach the return leg too. */
    private final java.util.function.Supplier<GatewayServices> current;
    private final List<Cidr> allowed;

    private final boolean l3;

    public ReturnListenerInitializer(java.util.function.Supplier<GatewayServices> current) {
        this(current, current.get().config().inline().returnAllowedNetworks(), false);
    }

    /** {@code allowed}: for the L3 return listener, the clients (their addresses come back through the device). */
    public ReturnListenerInitializer(java.util.function.Supplier<GatewayServices> current, List<Cidr> allowed,
                                     boolean l3) {
        this.current = current;
        this.allowed = allowed;
        this.l3 = l3;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        GatewayServices services = current.get();
        var tls = new TlsOriginConnector(services);
        var session = ConnectionAdmission.admit(services, ch, allowed, "return");
        if (session == null) {
            return;
        }
        var limits = services.config().limits();
        var stages = services.stages();
        HttpRelay relay = HttpRelays.returning(session, services.connector(), tls::connect, services.inline().flows(),
                stages, stages.mirrorOnOriginLeg() ? services.mirror() : null, l3);
        ch.pipeline()
                .addLast("http", dev.loupe.gateway.http.HttpCodecs.server(limits.maxInitialLineLength(), limits.maxHeaderSize()))
                .addLast("exchange", relay.newClientHandler());
    }
}
