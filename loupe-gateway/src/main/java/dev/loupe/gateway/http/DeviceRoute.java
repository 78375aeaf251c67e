package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.inline.FlowRegistry;
import dev.loupe.gateway.inline.Inline;
import dev.loupe.gateway.inline.InlineHttpService;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Carries out the inline stage's route for one decrypted client connection: registers the connection's flow
 * (so the device's output can be matched to its origin), rewrites a request for an HTTP device, connects to the
 * device, and watches for a device that never answers (an IPS {@code drop} rule).
 */
final class DeviceRoute {
    private final Inline inline;
    private final Session session;
    private final Channel client;
    /** The verified origin's address: the L3 route sends there, and mirrored flows are reported as going there. */
    private final InetSocketAddress originAddress;
    private FlowRegistry.Flow flow;
    private InlineHttpService.Device device;
    private ScheduledFuture<?> timer;
    private Duration timeout;

    DeviceRoute(Inline inline, Session session, Channel client, InetSocketAddress originAddress) {
        this.inline = inline;
        this.session = session;
        this.client = client;
        this.originAddress = originAddress;
    }

    InlineHttpService service() {
        return inline.service();
    }

    InetSocketAddress originAddress() {
        return originAddress;
    }

    /**
     * Where {@code request} goes through {@code chosen}: the device (an HTTP device gets the absolute URL the client
     * asked for and the flow's id), or for an L3 device the origin's own address on the configured port; null, with
     * the exchange refused, when that address is unknown.
     */
    UpstreamLeg.Hop route(Exchange exchange, HttpRequest request, InlineHttpService.Device chosen, Origin origin,
                          HttpRelay relay) {
        InlineHttpService service = inline.service();
        if (flow == null) {
            FlowRegistry.Flow registered = inline.flows().register(origin, session.sni(), session.clientIp());
            flow = registered;
            client.closeFuture().addListener(f -> inline.flows().remove(registered));
        }
        device = chosen;
        Origin address;
        if (service.routed()) {
            if (originAddress == null) {
                relay.failExchange(new ErrorPage(502, "Inline service " + service.name(), "the origin's address is "
                        + "unknown", origin.host()));
                return null;
            }
            address = new Origin(originAddress.getAddress().getHostAddress(), service.config().serverPort());
        } else {
            address = chosen.address();
            // the device judges the name the client asked for (SNI), not an address
            String name = session.sni() != null ? session.sni() : origin.host();
            request.setUri("http://" + (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + origin.port()
                    + request.uri());
            request.headers().set(FlowRegistry.FLOW_HEADER, flow.id());
            request.headers().set(FlowRegistry.SCHEME_HEADER, "https");
        }
        exchange.inline = service.name() + " via " + chosen.label();
        service.sent(chosen);
        awaitAnswer(exchange, relay, service.config().responseTimeout());
        return new UpstreamLeg.Hop(address, chosen);
    }

    /** Opens the connection to a device: plain TCP to an HTTP device, or the origin's address over the L3 route. */
    ChannelFuture connect(dev.loupe.gateway.relay.OriginConnector connector, UpstreamLeg.Hop hop) {
        if (!inline.service().routed()) {
            return connector.connectDevice(client, hop.address());
        }
        ChannelFuture cf = connector.connectTransparent(client, new InetSocketAddress(originAddress.getAddress(),
                hop.address().port()), (InetSocketAddress) client.remoteAddress(), hop.device().mark());
        FlowRegistry.Flow l3Flow = flow;
        cf.addListener(c -> {
            if (c.isSuccess()) {
                inline.flows().registerPeer(cf.channel().localAddress(), cf.channel().remoteAddress(), l3Flow,
                        cf.channel().closeFuture());
            }
        });
        return cf;
    }

    /** The device could not be reached: it is marked down, and the exchange answered with a page naming it. */
    ErrorPage unreachable(InlineHttpService.Device failed, Throwable cause, Origin origin) {
        String why = dev.loupe.gateway.relay.Failures.describe(cause);
        inline.service().failed(failed, why);
        return new ErrorPage(502, "Inline service " + inline.service().name() + " unreachable",
                "device " + failed.label() + ": " + why, origin.host());
    }

    /** "ips (mark:2)": the device last routed to. */
    String label() {
        return inline.service().name() + " (" + device.label() + ")";
    }

    /** The client sent the request's last byte: the device's answer is awaited from now. */
    void requestSent(Exchange exchange, HttpRelay relay) {
        if (timer != null) {
            awaitAnswer(exchange, relay, timeout);
        }
    }

    /** A response head came back through the device: its latency, from the exchange's start. */
    void answered(long nanos, boolean throughDevice) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (throughDevice) {
            inline.service().answered(device, nanos);
        }
    }

    /**
     * A device that silently drops a flow would leave the client waiting until the idle timeout: past
     * {@code timeout} without a response head, its connection is closed, which answers the client with a page
     * naming the service.
     */
    private void awaitAnswer(Exchange exchange, HttpRelay relay, Duration wait) {
        if (timer != null) {
            timer.cancel(false);
        }
        timeout = wait;
        timer = client.eventLoop().schedule(() -> {
            timer = null;
            String through = relay.inlineDevice();
            Channel upstream = relay.upstream();
            if (relay.currentExchange() == exchange && exchange.status == 0 && upstream != null && through != null) {
                session.closeReason("inline service " + through + " gave no answer within " + wait.toMillis()
                        + " ms");
                upstream.close();
            }
        }, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
