package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelHandler;
import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the relay asks before it lets a request through, supplied by the listener that made it: the request
 * head deadline, and the connection decision for a plain-HTTP destination (the same decision a CONNECT to it
 * gets).
 *
 * @param headTimeout a new {@link RequestHeadTimeout} per client connection
 * @param destinations the page refusing {@code target} (resolved to {@code address}, null while unknown) for
 *     this session's client, or empty to let it through
 */
public record RelayGuards(Supplier<ChannelHandler> headTimeout, Destinations destinations) {
    /** The decision for a plain-HTTP destination. */
    @FunctionalInterface
    public interface Destinations {
        Optional<ErrorPage> refuse(Session session, Origin target, InetAddress address);
    }

    /** No deadline and no refusal: for the return leg, whose requests come from Loupe's own devices. */
    public static final RelayGuards NONE = new RelayGuards(null, (s, t, a) -> Optional.empty());
}
