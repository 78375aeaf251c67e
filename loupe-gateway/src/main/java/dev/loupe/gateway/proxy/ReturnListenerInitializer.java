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
    private final GatewayServices services;
    private final List<Cidr> allowed;
    private final TlsOriginConnector tls;

    private final boolean l3;

    public ReturnListenerInitializer(GatewayServices services) {
        this(services, services.config().inline().returnAllowedNetworks(), false);
    }

    /** {@code allowed}: for the L3 return listener, the clients (their addresses come back through the device). */
    public ReturnListenerInitializer(GatewayServices services, List<Cidr> allowed, boolean l3) {
        this.services = services;
        this.allowed = allowed;
        this.l3 = l3;
        this.tls = new TlsOriginConnector(services);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
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
