package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.config.InlineConfig;
import dev.loupe.gateway.icap.IcapAdaptation;
import dev.loupe.gateway.inline.FlowRegistry;
import dev.loupe.gateway.inline.Inline;
import dev.loupe.gateway.inline.InlineHttpService;
import dev.loupe.gateway.intel.IntelService;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.proxy.OriginConnector;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Relays HTTP/1.1 exchanges between one client connection and its upstream connection, streaming
 * bodies both ways. In a decrypted tunnel the upstream is fixed (already connected and verified); for
 * plain-HTTP proxying it is chosen per request from the absolute URI and reconnected as needed.
 *
 * <p>Flow control: the client is read only while the upstream can take more and no response is
 * awaited (requests are handled one at a time, which is all HTTP/1.1 clients rely on); the upstream
 * is read only while the client can take more. Everything runs on the client's event loop.
 */
public final class HttpRelay {
    private final Session session;
    private final Channel client;
    private final OriginConnector connector;
    private final Mirror mirror;
    private final boolean tunnel;
    private final ExchangeTracker tracker = new ExchangeTracker();
    private final RequestForwarder requests;
    private final ResponseForwarder responses;
    private Channel upstream;
    private Origin origin;
    private List<Object> pending;
    private boolean awaitingResponse;

    private final IcapAdaptation icap;
    private final RelayGuards guards;
    /** The scheme of the exchanges' URLs: https when decrypted, http for plain HTTP (also inside a tunnel). */
    private String scheme = "https";
    /** Inline device between this (decrypted) client and its origin; null when none is configured. */
    private Inline inline;
    private FlowRegistry.Flow flow;
    /** The verified origin's address: mirrored flows through a device are reported as going there. */
    private java.net.InetSocketAddress originAddress;
    private boolean directTapped;
    private io.netty.util.concurrent.ScheduledFuture<?> deviceTimer;
    private Integer flowHash;
    private java.time.Duration deviceTimeout;
    /** The services' mirror, for the direct (fail-open) route whatever leg the device route taps. */
    private Mirror directMirror;
    /** Re-opens a validated TLS connection to the origin for the direct route once a device route closed it. */
    private UpstreamTls directTls;
    /** The verified origin selected no ALPN protocol: the likely cause when it closes without answering. */
    private boolean originChoseNoAlpn;
    /** ICAP runs between the device and the origin (on the return leg) rather than here, unless sent direct. */
    private boolean icapAfterDevice;
    /** The device the current upstream connection was made through (null: not through a device). */
    private InlineHttpService.Device connectedDevice;
    /** The TLS server name the current upstream connection was made with (return mode). */
    private String connectedServerName;
    /** Return mode: this listener is the L3 (TPROXY) one: flows are known only by address, never by header. */
    private boolean returnL3;
    /** Return mode: the client the current flow belongs to, for ICAP's X-Client-IP. */
    private String flowClientIp;
    private InlineHttpService.Device device;
    /** Where requests through {@link #device} are sent: the device itself, or (L3) the origin's address. */
    private Origin deviceTarget;
    /** Where the request being sent goes: the origin, or the inline device; null when it was refused. */
    private Origin route;
    /** What the current upstream channel is connected to (the origin, or an inline device). */
    private Origin connectedTo;
    /** Return-listener mode: requests from inline devices, sent on over TLS to their flow's origin. */
    private UpstreamTls tls;
    private FlowRegistry returnFlows;
    private String serverName;
    /** Waiting for a plain-HTTP upstream connection to be made (see {@link #whenUpstreamReady}). */
    private List<java.util.function.Consumer<Channel>> onConnected;

    /** One HTTP/2 stream of a decrypted connection: the exchange ends with the stream, the connection does not. */
    private boolean stream;

    private HttpRelay(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror, IntelService intel,
                      IcapAdaptation icap, Channel upstream, Origin origin, boolean tunnel, Origin fixedOrigin) {
        this(session, session.client(), guards, connector, mirror, intel, icap, upstream, origin, tunnel, fixedOrigin);
    }

    private HttpRelay(Session session, Channel client, RelayGuards guards, OriginConnector connector, Mirror mirror,
                      IntelService intel, IcapAdaptation icap, Channel upstream, Origin origin, boolean tunnel,
                      Origin fixedOrigin) {
        this.session = session;
        this.guards = guards;
        this.client = client;
        this.connector = connector;
        this.mirror = mirror;
        this.upstream = upstream;
        this.origin = origin;
        this.connectedTo = origin;
        this.tunnel = tunnel;
        this.icap = icap;
        this.requests = new RequestForwarder(this, tracker, session, tunnel, intel, fixedOrigin, icap);
        this.responses = new ResponseForwarder(this, tracker, session, icap);
    }

    /** Opens a validated TLS connection to an origin (for the return leg of inline devices). */
    @FunctionalInterface
    public interface UpstreamTls {
        io.netty.util.concurrent.Future<Channel> connect(Channel client, Origin origin, String serverName);
    }

    /**
     * Decrypted tunnel: both channels are connected and past their TLS handshakes. With {@code inline}, each
     * request goes out through one of its devices instead (the verified origin connection is then let go).
     */
    public static HttpRelay tunnel(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror,
                                   IntelService intel, IcapAdaptation icap, Inline inline, UpstreamTls directTls,
                                   Channel upstream, Origin origin, int maxInitialLine, int maxHeader) {
        // without inline devices the TLS interceptor has tapped the origin connection already; with them, the
        // configured order decides which leg the mirror records and which side of the device ICAP works on
        InlineConfig order = inline == null ? null : inline.order();
        HttpRelay relay = new HttpRelay(session, guards, connector,
                order == null || order.mirrorOriginLeg() ? null : mirror, intel, icap, upstream, origin, true, null);
        relay.inline = inline;
        relay.directMirror = mirror;
        relay.directTls = directTls;
        relay.icapAfterDevice = order != null && order.icapAfterDevice();
        relay.originAddress = upstream.remoteAddress() instanceof java.net.InetSocketAddress a ? a : null;
        relay.originChoseNoAlpn = Http2AnswerDetector.choseNoAlpn(session);
        relay.installClient(maxInitialLine, maxHeader);
        relay.installUpstream(upstream);
        return relay;
    }

    /**
     * One HTTP/2 stream of a decrypted connection, framing-neutral from here on: {@code clientStream} and
     * {@code upstreamStream} already turn their frames into HTTP messages (request head, body, trailers), so
     * every check and service sees the exchange as it would over HTTP/1.1. With {@code inline}, the exchange
     * goes out through a device over HTTP/1.1 instead, as any other.
     */
    public static HttpRelay stream(Session session, Channel clientStream, RelayGuards guards, OriginConnector connector,
                                   Mirror mirror, IntelService intel, IcapAdaptation icap, Inline inline,
                                   UpstreamTls directTls, Channel upstreamStream, Origin origin,
                                   java.net.InetSocketAddress originAddress) {
        InlineConfig order = inline == null ? null : inline.order();
        HttpRelay relay = new HttpRelay(session, clientStream, guards, connector,
                order == null || order.mirrorOriginLeg() ? null : mirror, intel, icap, upstreamStream, origin, true,
                null);
        relay.stream = true;
        relay.inline = inline;
        relay.directMirror = mirror;
        relay.directTls = directTls;
        relay.icapAfterDevice = order != null && order.icapAfterDevice();
        relay.originAddress = originAddress;
        clientStream.pipeline().addLast("exchange", relay.newClientHandler());
        upstreamStream.pipeline().addLast("exchange", new UpstreamHttpHandler(relay));
        upstreamStream.config().setAutoRead(clientStream.isWritable());
        return relay;
    }

    /** Whether this relay carries one HTTP/2 stream (which ends with its exchange) rather than a connection. */
    boolean stream() {
        return stream;
    }

    /**
     * Plain HTTP inside a CONNECT tunnel (e.g. {@code CONNECT host:80}): the upstream is connected already; the
     * exchanges get the same checks and services as any plain HTTP (the caller has tapped the mirror).
     */
    public static HttpRelay tunnelPlain(Session session, RelayGuards guards, OriginConnector connector,
                                        IntelService intel, IcapAdaptation icap, Channel upstream, Origin origin,
                                        int maxInitialLine, int maxHeader) {
        HttpRelay relay = new HttpRelay(session, guards, connector, null, intel, icap, upstream, origin, true, null);
        relay.scheme = "http";
        relay.directMirror = null;
        relay.installClient(maxInitialLine, maxHeader);
        relay.installUpstream(upstream);
        return relay;
    }

    /**
     * The return leg of inline devices: each request names its flow; it goes over TLS (validated like any
     * upstream) to that flow's origin. The client here is the device.
     */
    public static HttpRelay returning(Session session, OriginConnector connector, UpstreamTls tls,
                                      FlowRegistry flows, IcapAdaptation icap, Mirror mirror, boolean l3) {
        HttpRelay relay = new HttpRelay(session, RelayGuards.NONE, connector, mirror, null, icap, null, null, false,
                null);
        relay.returnL3 = l3;
        relay.tls = tls;
        relay.returnFlows = flows;
        return relay;
    }

    /** Plain-HTTP proxying: the client pipeline already parses HTTP; each upstream is mirrored if configured. */
    public static HttpRelay plain(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror,
                                  IntelService intel, IcapAdaptation icap) {
        HttpRelay relay = new HttpRelay(session, guards, connector, mirror, intel, icap, null, null, false, null);
        relay.scheme = "http";
        return relay;
    }

    /** Transparent plain HTTP: origin-form requests to the client's original destination. */
    public static HttpRelay transparent(Session session, RelayGuards guards, OriginConnector connector, Mirror mirror,
                                        IntelService intel, IcapAdaptation icap, Origin destination,
                                        int maxInitialLine, int maxHeader) {
        HttpRelay relay = new HttpRelay(session, guards, connector, mirror, intel, icap, null, null, false,
                destination);
        relay.scheme = "http";
        relay.installClient(maxInitialLine, maxHeader);
        return relay;
    }

    private void installClient(int maxInitialLine, int maxHeader) {
        client.pipeline().addLast("http", HttpCodecs.server(maxInitialLine, maxHeader));
        if (guards.headTimeout() != null) {
            client.pipeline().addLast(RequestHeadTimeout.NAME, guards.headTimeout().get());
        }
        client.pipeline().addLast("exchange", newClientHandler());
    }

    /** The client-side adapter, for a pipeline that already parses HTTP. */
    public io.netty.channel.ChannelHandler newClientHandler() {
        return new ClientHttpHandler(this);
    }

    private void installUpstream(Channel ch) {
        ch.attr(Session.KEY).set(session);
        ch.pipeline().addLast("http2-answer", new Http2AnswerDetector());
        ch.pipeline().addLast("http", new HttpClientCodec(16 * 1024, 64 * 1024, 64 * 1024));
        ch.pipeline().addLast("exchange", new UpstreamHttpHandler(this));
        ch.config().setAutoRead(client.isWritable());
    }

    ClientHttpHandler clientHandler() {
        return (ClientHttpHandler) client.pipeline().get("exchange");
    }

    // ---- called by RequestForwarder -------------------------------------------------------------

    /** Sends a message to the origin, connecting first when plain proxying needs a (new) connection. */
    void toUpstream(Origin target, Object msg) {
        if (inline != null) {
            target = inlineRoute(msg);
            if (target == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (pending != null) {
            pending.add(msg);
            return;
        }
        boolean sameDevice = device == null || !target.equals(deviceTarget) || device == connectedDevice;
        boolean sameName = tls == null || java.util.Objects.equals(serverName, connectedServerName);
        if (upstream != null && upstream.isActive() && target.equals(connectedTo) && sameDevice && sameName) {
            upstream.write(msg, upstream.voidPromise());
            return;
        }
        boolean direct = device == null || !target.equals(deviceTarget);
        if (tunnel && direct && directTls != null && inline != null) {
            connect(target, msg); // the direct route after a device route: a fresh, validated TLS connection
            return;
        }
        if (tunnel && direct) {
            ReferenceCountUtil.release(msg);
            failExchange(new ErrorPage(502, "Upstream connection closed",
                    Http2AnswerDetector.closedReason(originChoseNoAlpn), origin.host()));
            return;
        }
        connect(target, msg);
    }

    /**
     * Where a message of a decrypted, inline-routed client goes. At each request head: a device chosen by
     * the flow's hash (the request rewritten as a proxy request naming the flow), or, with no device up,
     * the origin directly (fail-open) or nowhere (fail-closed: a 503 page naming the service).
     */
    private Origin inlineRoute(Object msg) {
        if (msg instanceof io.netty.handler.codec.http.HttpRequest request) {
            InlineHttpService service = inline.service();
            InlineHttpService.Device chosen = service.pick(flowHash());
            Exchange exchange = tracker.current();
            if (chosen == null) {
                if (service.failOpen()) {
                    route = origin;
                    if (!directTapped && upstream != null && upstream.isActive() && connectedTo.equals(origin)
                            && connectedDevice == null) {
                        MirrorTap.install(directMirror, client, upstream);
                        directTapped = true;
                    }
                    if (exchange != null) {
                        exchange.inline = service.name() + ": no device up, sent direct (fail-open)";
                    }
                } else {
                    route = null;
                    failExchange(new ErrorPage(503, "Service unavailable: " + service.name(), "no device of the "
                            + "inline service '" + service.name() + "' is up, and nothing passes uninspected",
                            origin.host()));
                }
                return route;
            }
            if (flow == null) {
                flow = inline.flows().register(origin, session.sni(), session.clientIp());
                client.closeFuture().addListener(f -> inline.flows().remove(flow));
            }
            device = chosen;
            if (service.l3()) {
                // the plaintext goes to the origin's own address, on the configured port, over the device's route
                if (originAddress == null) {
                    route = null;
                    failExchange(new ErrorPage(502, "Inline service " + service.name(), "the origin's address is "
                            + "unknown", origin.host()));
                    return null;
                }
                route = new Origin(originAddress.getAddress().getHostAddress(), service.config().serverPort());
            } else {
                route = chosen.address();
                // the device judges the name the client asked for (SNI), not an address
                String name = session.sni() != null ? session.sni() : origin.host();
                request.setUri("http://" + (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + origin.port()
                        + request.uri());
                request.headers().set(FlowRegistry.FLOW_HEADER, flow.id());
                request.headers().set(FlowRegistry.SCHEME_HEADER, "https");
            }
            deviceTarget = route;
            if (exchange != null) {
                exchange.viaDevice = true;
            }
            service.sent(chosen);
            if (exchange != null) {
                awaitDeviceAnswer(exchange, service.config().responseTimeout());
            }
            if (exchange != null) {
                exchange.inline = service.name() + " via " + chosen.label();
            }
        }
        return route;
    }

    private void connect(Origin target, Object first) {
        if (upstream != null) {
            upstream.close();
        }
        pending = new ArrayList<>();
        pending.add(first);
        boolean viaDevice = device != null && target.equals(deviceTarget);
        InlineHttpService.Device usedDevice = viaDevice ? device : null;
        connectedTo = target;
        connectedDevice = usedDevice;
        connectedServerName = serverName;
        if (!viaDevice) {
            origin = target;
            session.target(target.authority());
        }
        client.config().setAutoRead(false);
        io.netty.util.concurrent.Future<Channel> f;
        if (tls != null) {
            f = tls.connect(client, target, serverName);
            upstream = null;
        } else if (tunnel && !viaDevice && directTls != null) {
            f = directTls.connect(client, target, session.sni());
            upstream = null;
        } else {
            ChannelFuture cf;
            if (viaDevice && inline.service().l3()) {
                cf = connector.connectTransparent(client, new java.net.InetSocketAddress(
                        originAddress.getAddress(), target.port()), (java.net.InetSocketAddress) client.remoteAddress(),
                        usedDevice.mark());
                FlowRegistry.Flow l3Flow = flow;
                cf.addListener(c -> {
                    if (c.isSuccess()) {
                        inline.flows().registerPeer(cf.channel().localAddress(), cf.channel().remoteAddress(), l3Flow,
                                cf.channel().closeFuture());
                    }
                });
            } else {
                cf = viaDevice ? connector.connectDevice(client, target) : connector.connect(client, target);
            }
            upstream = cf.channel();
            io.netty.util.concurrent.Promise<Channel> promise = client.eventLoop().newPromise();
            cf.addListener(c -> {
                if (c.isSuccess()) {
                    promise.setSuccess(cf.channel());
                } else {
                    promise.setFailure(c.cause());
                }
            });
            f = promise;
        }
        f.addListener(done -> {
            Channel made = done.isSuccess() ? (Channel) done.getNow() : null;
            if (made != null && !client.isActive()) {
                made.close(); // the client left while this was being set up
                made = null;
            }
            Channel connected = made;
            if (connected != null) {
                upstream = connected;
            }
            List<Object> queued = pending;
            pending = null;
            List<java.util.function.Consumer<Channel>> waiting = onConnected;
            onConnected = null;
            if (connected == null) {
                queued.forEach(ReferenceCountUtil::release);
                if (!client.isActive()) {
                    if (waiting != null) {
                        waiting.forEach(w -> w.accept(null));
                    }
                    return;
                }
                if (waiting != null) {
                    waiting.forEach(w -> w.accept(null));
                }
                Failures.Kind kind = Failures.classify(done.cause());
                if (usedDevice != null) {
                    inline.service().failed(usedDevice, Failures.describe(done.cause()));
                    failExchange(new ErrorPage(502, "Inline service " + inline.service().name() + " unreachable",
                            "device " + usedDevice.label() + ": " + Failures.describe(done.cause()), origin.host()));
                    return;
                }
                failExchange(kind == Failures.Kind.FORBIDDEN
                        ? new ErrorPage(403, "Destination refused", Failures.describe(done.cause()), target.host())
                        : new ErrorPage(kind == Failures.Kind.TIMEOUT ? 504 : 502,
                                "Cannot reach " + target.host(), Failures.describe(done.cause()), target.host()));
                return;
            }
            if (usedDevice == null && tls == null && !(tunnel && directTls != null)) {
                // the destination's address is known only now: the same decision a CONNECT to it would get
                var refusal = guards.destinations().refuse(session, target,
                        connected.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress() : null);
                if (refusal.isPresent()) {
                    queued.forEach(ReferenceCountUtil::release);
                    connected.close();
                    upstream = null;
                    if (waiting != null) {
                        waiting.forEach(w -> w.accept(null));
                    }
                    failExchange(refusal.get());
                    return;
                }
            }
            if (usedDevice != null) {
                MirrorTap.install(mirror, client.remoteAddress() instanceof java.net.InetSocketAddress c ? c : null,
                        originAddress, connected);
            } else {
                MirrorTap.install(tunnel ? directMirror : mirror, client, connected);
            }
            installUpstream(connected);
            queued.forEach(m -> connected.write(m, connected.voidPromise()));
            connected.flush();
            updateClientReads();
            if (waiting != null) {
                waiting.forEach(w -> w.accept(connected));
            }
        });
    }

    /**
     * Runs {@code action} with the upstream channel once the connection a {@link #toUpstream} started is
     * made (at once if none is in progress); with null when there is none.
     */
    void whenUpstreamReady(java.util.function.Consumer<Channel> action) {
        if (pending == null) {
            action.accept(upstream != null && upstream.isActive() ? upstream : null);
            return;
        }
        if (onConnected == null) {
            onConnected = new ArrayList<>(1);
        }
        onConnected.add(action);
    }

    void flushUpstream() {
        if (upstream != null && pending == null) {
            upstream.flush();
        }
    }

    /**
     * The client has sent the whole request. Wait for the response before reading more, unless the
     * origin already answered it in full (an early 401/413 while the body was still streaming).
     */
    void requestComplete(Exchange exchange) {
        if (deviceTimer != null) {
            awaitDeviceAnswer(exchange, deviceTimeout); // the wait counts from the request's last byte
        }
        awaitingResponse = tracker.current() == exchange;
        updateClientReads();
    }

    /** Answers the exchange with a response an ICAP service made; the origin is not contacted. */
    void respondLocally(Exchange exchange, io.netty.handler.codec.http.HttpResponse response,
                        dev.loupe.gateway.pipeline.BodySpool body) {
        responses.respondLocally(exchange, response, body);
    }

    /** Answers the current exchange with Loupe's own page and closes the client afterwards. */
    void failExchange(ErrorPage page) {
        responses.failCurrent(page);
    }

    // ---- called by ResponseForwarder ------------------------------------------------------------

    Channel client() {
        return client;
    }

    Channel upstream() {
        return upstream;
    }

    boolean tunnel() {
        return tunnel;
    }

    boolean originChoseNoAlpn() {
        return originChoseNoAlpn;
    }

    void responseComplete(boolean upstreamReusable) {
        awaitingResponse = false;
        // an upstream that died while the response was with ICAP services is no longer usable either
        if (upstream != null && pending == null && (!upstreamReusable || !upstream.isActive())) {
            upstream.close();
            upstream = null;
        }
        updateClientReads();
        requests.releaseHeld();
    }

    /** After a 101: both sides stop speaking HTTP and become a byte relay (e.g. WebSocket). */
    void switchToBytes() {
        Channel up = upstream;
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

    void clientClosed() {
        requests.dropHeld();
    }

    void updateClientReads() {
        boolean upstreamReady = pending == null && (upstream == null || !upstream.isActive() || upstream.isWritable());
        client.config().setAutoRead(upstreamReady && !awaitingResponse);
    }

    void updateUpstreamReads() {
        if (upstream != null) {
            upstream.config().setAutoRead(client.isWritable());
        }
    }

    void handleRequest(Object msg) {
        requests.forward(msg);
    }

    void handleResponse(Object msg) {
        responses.forward(msg);
    }

    void upstreamClosed() {
        responses.upstreamClosed();
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
        return device != null && connectedTo != null && connectedTo.equals(deviceTarget)
                ? inline.service().name() + " (" + device.label() + ")" : null;
    }

    /** Spreads flows over devices: the client's address and port and the origin, fixed for the connection. */
    private int flowHash() {
        if (flowHash == null) {
            flowHash = String.valueOf(client.remoteAddress()).hashCode() * 31 + origin.hashCode();
        }
        return flowHash;
    }

    /** A response head came back through the inline device: its latency, from the exchange's start. */
    void inlineAnswered(long nanos) {
        if (deviceTimer != null) {
            deviceTimer.cancel(false);
            deviceTimer = null;
        }
        if (inlineDevice() != null) {
            inline.service().answered(device, nanos);
        }
    }

    /**
     * A device that silently drops a flow (an IPS {@code drop} rule) would leave the client waiting until the
     * idle timeout: past {@code timeout} without a response head, its connection is closed, which answers the
     * client with a page naming the service.
     */
    private void awaitDeviceAnswer(Exchange exchange, java.time.Duration timeout) {
        if (deviceTimer != null) {
            deviceTimer.cancel(false);
        }
        deviceTimeout = timeout;
        deviceTimer = client.eventLoop().schedule(() -> {
            deviceTimer = null;
            if (tracker.current() == exchange && exchange.status == 0 && upstream != null
                    && connectedTo != null && connectedTo.equals(deviceTarget)) {
                session.closeReason("inline service " + inlineDevice() + " gave no answer within "
                        + timeout.toMillis() + " ms");
                upstream.close();
            }
        }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Whether a lost upstream can be replaced for the next request (plain HTTP, or an inline device). */
    boolean reconnectable() {
        return !tunnel || (device != null && connectedTo.equals(deviceTarget));
    }

    /** The upstream closed while no request was on it: forget it (the next request reconnects or fails). */
    void dropUpstream() {
        if (upstream != null && pending == null) {
            upstream.close();
            upstream = null;
        }
        updateClientReads();
    }

    /** Return-listener mode: the flows requests may name; null otherwise. */
    FlowRegistry returnFlows() {
        return returnFlows;
    }

    /** Whether ICAP services see this exchange here (not on the device's return leg). */
    boolean icapHere(Exchange exchange) {
        return !icapAfterDevice || exchange == null || !exchange.viaDevice;
    }

    /** Whether ICAP services would see a request about to be routed now (no device up: it goes direct). */
    boolean icapHereForNextRequest() {
        return !icapAfterDevice || inline.service().pick(flowHash()) == null;
    }

    boolean returnL3() {
        return returnL3;
    }

    void flowClientIp(String ip) {
        this.flowClientIp = ip;
    }

    /** X-Client-IP for ICAP: on the return leg, the flow's client rather than the device. */
    String icapClientIp() {
        return flowClientIp != null ? flowClientIp : session.clientIp();
    }

    /** Return-listener mode: the TLS server name for the next origin connection. */
    void serverName(String name) {
        this.serverName = name;
    }
}
