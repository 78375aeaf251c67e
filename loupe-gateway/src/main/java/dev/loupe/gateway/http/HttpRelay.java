package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.inline.InlineHttpService;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.RouteTarget;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Relays the HTTP exchanges of one client connection (or of one HTTP/2 stream) to the upstream, through the
 * configured stages, streaming bodies both ways. How requests find their origin is the connection's
 * {@link RequestTarget}; the upstream connection is an {@link UpstreamLeg}; the inline route, when configured,
 * a {@link DeviceRoute}. This class only ties them together.
 *
 * <p>Flow control: the client is read only while the upstream can take more and no response is awaited
 * (requests are handled one at a time, which is all HTTP/1.1 clients rely on); the upstream is read only while
 * the client can take more. Everything runs on the client's event loop.
 */
public final class HttpRelay {
    private final Session session;
    private final Channel client;
    private final RelayGuards guards;
    private final List<ExchangeStage> stages;
    private final Supplier<BodySpool> spools;
    private final RequestTarget target;
    /** The scheme of the exchanges' URLs: https when decrypted, http for plain HTTP (also inside a tunnel). */
    private final String scheme;
    /** The origin is fixed by the connection (a tunnel, or one HTTP/2 stream of one). */
    private final boolean tunnel;
    private final ExchangeTracker tracker = new ExchangeTracker();
    private final RequestForwarder requests;
    private final ResponseForwarder responses;
    private UpstreamLeg leg;
    private DeviceRoute devices;
    private Origin origin;
    /** One HTTP/2 stream of a decrypted connection: the exchange ends with the stream, the connection does not. */
    private boolean stream;
    /** The verified origin selected no ALPN protocol: the likely cause when it closes without answering. */
    private boolean originChoseNoAlpn;
    private Integer flowHash;
    /** Return leg: the TLS server name and the client of the flow the current request belongs to. */
    private String flowServerName;
    private String flowClientIp;

    HttpRelay(Session session, Channel client, RelayGuards guards, List<ExchangeStage> stages,
                      Supplier<BodySpool> spools, RequestTarget target, String scheme, boolean tunnel, Origin origin) {
        this.session = session;
        this.client = client;
        this.guards = guards;
        this.stages = stages;
        this.spools = spools;
        this.target = target;
        this.scheme = scheme;
        this.tunnel = tunnel;
        this.origin = origin;
        this.requests = new RequestForwarder(this, tracker, session);
        this.responses = new ResponseForwarder(this, tracker, session);
    }


    void leg(UpstreamLeg leg) {
        this.leg = leg;
    }

    void devices(DeviceRoute devices) {
        this.devices = devices;
    }

    void streamOfConnection() {
        this.stream = true;
    }

    void originChoseNoAlpn(boolean chose) {
        this.originChoseNoAlpn = chose;
    }

    /** The client-side adapter, for a pipeline that already parses HTTP. */
    public ChannelHandler newClientHandler() {
        return new ClientHttpHandler(this);
    }

    // ---- the request side ---------------------------------------------------------------------------

    /**
     * Where a request head goes: through the device the inline stage chose ({@code route}), else to {@code to}.
     * Null when it cannot go anywhere (the exchange has been answered with a page).
     */
    UpstreamLeg.Hop hopFor(Exchange exchange, Origin to, RouteTarget route, HttpRequest head) {
        if (route instanceof InlineHttpService.Device device && devices != null) {
            return devices.route(exchange, head, device, origin, this);
        }
        if (devices != null) {
            leg.tapDirect();
        }
        return UpstreamLeg.Hop.direct(to);
    }

    /** Sends a message along {@code hop}, connecting first when the live upstream goes elsewhere. */
    void toUpstream(UpstreamLeg.Hop hop, Object msg) {
        if (hop == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        leg.send(hop, tunnel ? session.sni() : flowServerName, msg);
    }

    /** Runs {@code action} with the upstream once the connection being made is up (null: it failed). */
    void whenUpstreamReady(Consumer<Channel> action) {
        leg.whenReady(action);
    }

    void flushUpstream() {
        leg.flush();
    }

    /** The client has sent the whole request. */
    void requestComplete(Exchange exchange) {
        if (devices != null) {
            devices.requestSent(exchange, this);
        }
    }

    /** Answers the exchange with a response a stage made; the origin is not contacted. */
    void respondLocally(Exchange exchange, HttpResponse response, BodySpool body) {
        responses.respondLocally(exchange, response, body);
    }

    /** Answers the current exchange with Loupe's own page and closes the client afterwards. */
    void failExchange(ErrorPage page) {
        responses.failCurrent(page);
    }

    /** A direct connection is being made to {@code to}: it is the origin from now on. */
    void connectingTo(Origin to) {
        origin = to;
        session.target(to.authority());
    }

    // ---- the response side --------------------------------------------------------------------------

    void responseComplete(boolean upstreamReusable) {
        // an upstream that died while the response was with the stages is no longer usable either
        Channel upstream = leg.channel();
        if (upstream != null && (!upstreamReusable || !upstream.isActive())) {
            leg.drop();
        }
        requests.releaseHeld();
        updateClientReads();
    }

    /** After a 101: both sides stop speaking HTTP and become a byte relay (e.g. WebSocket). */
    void switchToBytes() {
        Channel up = leg.channel();
        up.pipeline().remove("exchange");
        client.pipeline().remove("exchange");
        if (client.pipeline().get(RequestHeadTimeout.NAME) != null) {
            client.pipeline().remove(RequestHeadTimeout.NAME);
        }
        ByteRelayHandler.link(client, up, "relay");
        // Only now remove the codecs: removing one hands the bytes it still holds (e.g. a first
        // WebSocket frame that arrived with the 101) to the next handler, which must be the relay.
        up.pipeline().remove("http");
        client.pipeline().remove("http");
    }

    /** A response head came back: the inline device (if it came through one) answered in {@code nanos}. */
    void inlineAnswered(long nanos) {
        if (devices != null) {
            devices.answered(nanos, leg.throughDevice());
        }
    }

    /** Whether a lost upstream can be replaced for the next request (plain HTTP, or an inline device). */
    boolean reconnectable() {
        return !tunnel || leg.throughDevice();
    }

    /** The upstream closed while no request was on it: forget it (the next request reconnects or fails). */
    void dropUpstream() {
        leg.drop();
        updateClientReads();
    }

    // ---- events from the handlers -------------------------------------------------------------------

    void handleRequest(Object msg) {
        requests.forward(msg);
    }

    void handleResponse(Object msg) {
        responses.forward(msg);
    }

    void upstreamClosed() {
        responses.upstreamClosed();
    }

    void clientClosed() {
        requests.dropHeld();
    }

    /**
     * The client is read while the upstream leg can take what it sends and no request waits behind the one
     * in flight. Reading goes on while a response is awaited: stopping and restarting around every exchange
     * cost two epoll_ctl calls per keep-alive request; a pipelined request that does arrive is held (one
     * exchange at a time) and stops the reading until its turn.
     */
    void updateClientReads() {
        client.config().setAutoRead(leg.ready() && !requests.holding());
    }

    void updateUpstreamReads() {
        Channel upstream = leg.channel();
        if (upstream != null) {
            upstream.config().setAutoRead(client.isWritable());
        }
    }

    // ---- what the parts may know ----------------------------------------------------------------------

    Session session() {
        return session;
    }

    Channel client() {
        return client;
    }

    Channel upstream() {
        return leg.channel();
    }

    Exchange currentExchange() {
        return tracker.current();
    }

    List<ExchangeStage> stages() {
        return stages;
    }

    BodySpool newSpool() {
        return spools.get();
    }

    RequestTarget target() {
        return target;
    }

    boolean tunnel() {
        return tunnel;
    }

    /** Whether this relay carries one HTTP/2 stream (which ends with its exchange) rather than a connection. */
    boolean stream() {
        return stream;
    }

    boolean originChoseNoAlpn() {
        return originChoseNoAlpn;
    }

    Origin origin() {
        return origin;
    }

    /** http or https: the scheme of this connection's exchange URLs. */
    String scheme() {
        return scheme;
    }

    RelayGuards guards() {
        return guards;
    }

    /**
     * The name a tunnel's requests must carry in Host and are logged and inspected under: the TLS server name
     * (verified by the origin's certificate) when there is one, else the CONNECT host or original destination.
     */
    String boundName() {
        return session.sni() != null ? session.sni() : origin.host();
    }

    /** The inline device the upstream goes through ("ips (mark:2)"), or null when it goes to the origin. */
    String inlineDevice() {
        return devices != null && leg.throughDevice() ? devices.label() : null;
    }

    /** Spreads flows over devices: the client's address and port and the origin, fixed for the connection. */
    int flowHash() {
        if (flowHash == null) {
            flowHash = String.valueOf(client.remoteAddress()).hashCode() * 31
                    + (origin == null ? 0 : origin.hashCode());
        }
        return flowHash;
    }

    /** Return leg: the flow the request being resolved belongs to (its TLS name and its client). */
    void flow(String serverName, String clientIp) {
        this.flowServerName = serverName;
        this.flowClientIp = clientIp;
    }

    /** X-Client-IP for ICAP: on the return leg, the flow's client rather than the device. */
    String clientIp() {
        return flowClientIp != null ? flowClientIp : session.clientIp();
    }

    /** The gateway drains: an idle keep-alive connection closes now, a busy one after its response. */
    void drain() {
        tracker.drain();
        if (tracker.idle()) {
            session.closeReason("gateway draining (idle keep-alive closed)");
            client.close();
        }
    }
}
