package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up every connection the firewall diverted to the TPROXY listener. With IP_TRANSPARENT the
 * accepted socket's local address IS the client's original destination, on any port.
 */
public final class TransparentInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger log = LoggerFactory.getLogger(TransparentInitializer.class);

    private final java.util.function.Supplier<GatewayServices> current;
    private final AllowedClients allowedClients = new AllowedClients(c -> c.transparent().allowedClientNetworks());
    private final int listenerPort;

    /** {@code listenerPort}: the port this listener is bound to (a connection to it directly would loop). */
    public TransparentInitializer(java.util.function.Supplier<GatewayServices> current, int listenerPort) {
        this.current = current;
        this.listenerPort = listenerPort;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        InetSocketAddress destination = ch.localAddress();
        if (destination.getPort() == listenerPort) {
            // A direct connection to the listener itself, not diverted traffic: relaying it would loop.
            log.warn("refused a direct connection from {} to the transparent listener port {}", ch.remoteAddress(),
                    listenerPort);
            ch.close();
            return;
        }
        GatewayServices services = current.get();
        Session session = ConnectionAdmission.admit(services, ch, allowedClients.of(services.config()), "transparent");
        if (session == null) {
            return;
        }
        // RFC 5952 text (fd77:1::2, not fd77:1:0:0:0:0:0:2): how operators write addresses in rules and searches
        Origin origin = new Origin(io.netty.util.NetUtil.toAddressString(destination.getAddress()), destination.getPort());
        session.target(origin.authority());
        session.verdict("relay", "transparent");
        ch.pipeline().addLast("sniff", new TransparentSniffer(services, origin));
    }
}
