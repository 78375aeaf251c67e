package dev.loupe.gateway.http;

import dev.loupe.core.net.Origin;
import dev.loupe.gateway.inline.FlowRegistry;
import dev.loupe.gateway.inline.Inline;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.gateway.pipeline.StagePlan;
import dev.loupe.gateway.relay.OriginConnector;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * The ways a client connection reaches the HTTP relay, one factory each: what differs between them is where
 * requests may go ({@link RequestTarget}), which stages they meet ({@link StagePlan}) and how the upstream is
 * reached ({@link UpstreamLeg}).
 */
public final class HttpRelays {
    private HttpRelays() {
    }

    /**
     * Decrypted tunnel: both channels are connected and past their TLS handshakes. With {@code inline}, requests
     * may go out through one of its devices instead (the {@code inline} stage decides).
     */
    public static HttpRelay tunnel(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror,
                                   StagePlan plan, Inline inline, UpstreamTls directTls, Channel upstream,
                                   Origin origin, int maxInitialLine, int maxHeader) {
        HttpRelay relay = decrypted(session, session.client(), guards, connector, mirror, plan, inline, directTls,
                upstream, origin, upstream.remoteAddress() instanceof InetSocketAddress a ? a : null);
        relay.originChoseNoAlpn(Http2AnswerDetector.choseNoAlpn(session));
        RelayPipelines.client(relay, maxInitialLine, maxHeader);
        RelayPipelines.upstream(relay, upstream);
        return relay;
    }

    /**
     * One HTTP/2 stream of a decrypted connection, framing-neutral from here on: {@code clientStream} and
     * {@code upstreamStream} already turn their frames into HTTP messages (request head, body, trailers), so
     * every stage sees the exchange as it would over HTTP/1.1. Through an inline device it goes over HTTP/1.1.
     */
    public static HttpRelay stream(Session session, Channel clientStream, RelayGuards guards, OriginConnector connector,
                                   Mirror mirror, StagePlan plan, Inline inline, UpstreamTls directTls,
                                   Channel upstreamStream, Origin origin, InetSocketAddress originAddress) {
        HttpRelay relay = decrypted(session, clientStream, guards, connector, mirror, plan, inline, directTls,
                upstreamStream, origin, originAddress);
        relay.streamOfConnection();
        clientStream.pipeline().addLast("exchange", relay.newClientHandler());
        upstreamStream.pipeline().addLast("exchange", new UpstreamHttpHandler(relay));
        upstreamStream.config().setAutoRead(clientStream.isWritable());
        return relay;
    }

    private static HttpRelay decrypted(Session session, Channel client, RelayGuards guards, OriginConnector connector,
                                       Mirror mirror, StagePlan plan, Inline inline, UpstreamTls directTls,
                                       Channel upstream, Origin origin, InetSocketAddress originAddress) {
        HttpRelay relay = new HttpRelay(session, client, guards, plan.decrypted(), plan.spools(),
                new RequestTarget.Tunnel(), "https", true, origin);
        // without inline devices the TLS interceptor has tapped the origin connection already; with them, the
        // relay taps the leg the pipeline's order names
        DeviceRoute devices = inline == null ? null : new DeviceRoute(inline, session, client, originAddress);
        relay.devices(devices);
        relay.leg(new UpstreamLeg(relay, client, connector, plan.mirrorOnOriginLeg() ? null : mirror,
                inline == null ? null : mirror, inline == null ? null : directTls, devices, upstream, origin));
        return relay;
    }

    /**
     * Plain HTTP inside a CONNECT tunnel (e.g. {@code CONNECT host:80}): the upstream is connected already; the
     * exchanges get the same stages as any plain HTTP (the caller has tapped the mirror).
     */
    public static HttpRelay tunnelPlain(Session session, RelayGuards guards, OriginConnector connector,
                                        StagePlan plan, Channel upstream, Origin origin, int maxInitialLine,
                                        int maxHeader) {
        HttpRelay relay = new HttpRelay(session, session.client(), guards, plan.plain(), plan.spools(),
                new RequestTarget.Tunnel(), "http", true, origin);
        relay.leg(new UpstreamLeg(relay, relay.client(), connector, null, null, null, null, upstream, origin));
        RelayPipelines.client(relay, maxInitialLine, maxHeader);
        RelayPipelines.upstream(relay, upstream);
        return relay;
    }

    /**
     * The return leg of inline devices: each request names its flow; it goes over TLS (validated like any
     * upstream) to that flow's origin, through the stages after the device. The client here is the device.
     */
    public static HttpRelay returning(Session session, OriginConnector connector, UpstreamTls tls,
                                      FlowRegistry flows, StagePlan plan, Mirror mirror, boolean l3) {
        HttpRelay relay = new HttpRelay(session, session.client(), RelayGuards.NONE, plan.returnLeg(), plan.spools(),
                new RequestTarget.ReturnLeg(flows, l3), "https", false, null);
        relay.leg(new UpstreamLeg(relay, relay.client(), connector, null, mirror, tls, null, null, null));
        return relay;
    }

    /** Plain-HTTP proxying: the client pipeline already parses HTTP; each upstream is mirrored if configured. */
    public static HttpRelay plain(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror,
                                  StagePlan plan) {
        HttpRelay relay = new HttpRelay(session, session.client(), guards, plan.plain(), plan.spools(),
                new RequestTarget.Proxy(), "http", false, null);
        relay.leg(new UpstreamLeg(relay, relay.client(), connector, null, mirror, null, null, null, null));
        return relay;
    }

    /** Transparent plain HTTP: origin-form requests to the client's original destination. */
    public static HttpRelay transparent(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror,
                                        StagePlan plan, Origin destination, int maxInitialLine, int maxHeader) {
        HttpRelay relay = new HttpRelay(session, session.client(), guards, plan.plain(), plan.spools(),
                new RequestTarget.Transparent(destination), "http", false, null);
        relay.leg(new UpstreamLeg(relay, relay.client(), connector, null, mirror, null, null, null, null));
        RelayPipelines.client(relay, maxInitialLine, maxHeader);
        return relay;
    }
}
