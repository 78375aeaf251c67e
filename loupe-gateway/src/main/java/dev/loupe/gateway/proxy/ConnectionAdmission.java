package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Cidr;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.relay.IdleCloser;
import dev.loupe.gateway.session.Session;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every listener does first with an accepted connection: refuse clients outside its allowed
 * networks and connections beyond the limit (closing only that connection), then open the session
 * and the handlers every pipeline starts with (byte counting, idle timeout).
 */
final class ConnectionAdmission {
    private static final Logger log = LoggerFactory.getLogger(ConnectionAdmission.class);

    private ConnectionAdmission() {
    }

    /** The new session, or null when the connection was refused (and closed). */
    static Session admit(GatewayServices services, SocketChannel ch, List<Cidr> allowedClients, String listener) {
        InetSocketAddress remote = ch.remoteAddress();
        if (allowedClients.stream().noneMatch(c -> c.contains(remote.getAddress()))) {
            log.warn("refused connection from {} on the {} listener: not in its allowed-clients", remote, listener);
            ch.close();
            return null;
        }
        var limits = services.config().limits();
        int perClient = limits.maxConnectionsPerClient();
        String refusedBy = services.defences().admit(remote.getAddress(), limits.maxConnections(), perClient);
        if (refusedBy != null) {
            log.warn("refused connection from {}: limits.{} ({}) reached", remote, refusedBy,
                    refusedBy.equals("max-connections") ? limits.maxConnections() : perClient);
            ch.close();
            return null;
        }
        Session session = new Session(services.nextConnectionId(), listener, ch, services.accessLog());
        ch.attr(Session.KEY).set(session);
        ch.closeFuture().addListener(f -> {
            services.defences().release(remote.getAddress(), perClient);
            session.logClosed();
        });
        ch.pipeline()
                .addLast("bytes", session.counter())
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("idle-close", IdleCloser.INSTANCE);
        return session;
    }
}
