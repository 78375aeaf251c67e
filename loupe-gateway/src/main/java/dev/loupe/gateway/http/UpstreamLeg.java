package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.inline.InlineHttpService;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.OriginConnector;
import dev.loupe.gateway.relay.Failures;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The relay's upstream connection: reused while requests go to the same place, (re)connected when they go
 * elsewhere (plain proxying, an inline device, the direct route after a device), with what the client sent
 * meanwhile queued in order until the connection is made.
 */
final class UpstreamLeg {
    /** Where a request goes: {@code address}, through {@code device} (null: straight to the origin). */
    record Hop(Origin address, InlineHttpService.Device device) {
        static Hop direct(Origin origin) {
            return new Hop(origin, null);
        }
    }

    private final HttpRelay relay;
    private final Channel client;
    private final OriginConnector connector;
    /** The mirror for connections through a device (null: that leg is not recorded). */
    private final Mirror deviceMirror;
    /** The mirror for direct connections (null: recorded elsewhere already, or not at all). */
    private final Mirror directMirror;
    /** Direct connections go over validated TLS (return leg; tunnel after a device route); null: plain TCP. */
    private final UpstreamTls tls;
    private final DeviceRoute devices;
    private Channel channel;
    private Hop connectedTo;
    private String connectedServerName;
    private List<Object> pending;
    private List<Consumer<Channel>> onConnected;
    private boolean directTapped;

    UpstreamLeg(HttpRelay relay, Channel client, OriginConnector connector, Mirror deviceMirror, Mirror directMirror,
                UpstreamTls tls, DeviceRoute devices, Channel connected, Origin origin) {
        this.relay = relay;
        this.client = client;
        this.connector = connector;
        this.deviceMirror = deviceMirror;
        this.directMirror = directMirror;
        this.tls = tls;
        this.devices = devices;
        this.channel = connected;
        this.connectedTo = origin == null ? null : Hop.direct(origin);
    }

    Channel channel() {
        return channel;
    }

    /** Whether a connection is being made (what is sent meanwhile waits for it). */
    boolean connecting() {
        return pending != null;
    }

    /** Whether the live connection goes through an inline device. */
    boolean throughDevice() {
        return connectedTo != null && connectedTo.device() != null;
    }

    /** Sends a message to {@code hop}, on the live connection when it goes there, else on a new one. */
    void send(Hop hop, String serverName, Object msg) {
        if (pending != null) {
            pending.add(msg);
            return;
        }
        boolean sameName = tls == null || relay.tunnel() || Objects.equals(serverName, connectedServerName);
        if (channel != null && channel.isActive() && hop.equals(connectedTo) && sameName) {
            channel.write(msg, channel.voidPromise());
            return;
        }
        if (relay.tunnel() && hop.device() == null && tls == null) {
            // a tunnel's own origin connection is gone and no validated reconnection is possible here
            ReferenceCountUtil.release(msg);
            relay.failExchange(new ErrorPage(502, "Upstream connection closed",
                    Http2AnswerDetector.closedReason(relay.originChoseNoAlpn()), relay.origin().host()));
            return;
        }
        connect(hop, serverName, msg);
    }

    /** A direct request after a device route was down: the fail-open route is recorded like any direct one. */
    void tapDirect() {
        if (!directTapped && channel != null && channel.isActive() && !throughDevice()) {
            MirrorTap.install(directMirror, client, channel);
            directTapped = true;
        }
    }

    private void connect(Hop hop, String serverName, Object first) {
        if (channel != null) {
            channel.close();
        }
        pending = new ArrayList<>();
        pending.add(first);
        connectedTo = hop;
        connectedServerName = serverName;
        if (hop.device() == null) {
            relay.connectingTo(hop.address());
        }
        client.config().setAutoRead(false);
        Future<Channel> made;
        if (hop.device() == null && tls != null) {
            channel = null;
            made = tls.connect(client, hop.address(), serverName);
        } else {
            ChannelFuture cf = hop.device() != null ? devices.connect(connector, hop)
                    : connector.connect(client, hop.address());
            channel = cf.channel();
            Promise<Channel> promise = client.eventLoop().newPromise();
            cf.addListener(c -> {
                if (c.isSuccess()) {
                    promise.setSuccess(cf.channel());
                } else {
                    promise.setFailure(c.cause());
                }
            });
            made = promise;
        }
        made.addListener(done -> connected(hop, done.isSuccess() ? (Channel) done.getNow() : null, done.cause()));
    }

    private void connected(Hop hop, Channel made, Throwable cause) {
        if (made != null && !client.isActive()) {
            made.close(); // the client left while this was being set up
            made = null;
        }
        if (made != null) {
            channel = made;
        }
        List<Object> queued = pending;
        pending = null;
        List<Consumer<Channel>> waiting = onConnected;
        onConnected = null;
        if (made == null) {
            queued.forEach(ReferenceCountUtil::release);
            if (waiting != null) {
                waiting.forEach(w -> w.accept(null));
            }
            if (client.isActive()) {
                relay.failExchange(failure(hop, cause));
            }
            return;
        }
        if (hop.device() == null && tls == null) {
            // the destination's address is known only now: the same decision a CONNECT to it would get
            var refusal = relay.guards().destinations().refuse(relay.session(), hop.address(),
                    made.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null);
            if (refusal.isPresent()) {
                queued.forEach(ReferenceCountUtil::release);
                made.close();
                channel = null;
                if (waiting != null) {
                    waiting.forEach(w -> w.accept(null));
                }
                relay.failExchange(refusal.get());
                return;
            }
        }
        if (hop.device() != null && MirrorTap.inChain(client)) {
            MirrorTap.install(deviceMirror, client.remoteAddress() instanceof InetSocketAddress c ? c : null,
                    devices.originAddress(), made);
        } else if (hop.device() == null) {
            MirrorTap.install(directMirror, client, made);
        }
        RelayPipelines.upstream(relay, made);
        Channel ready = made;
        queued.forEach(m -> ready.write(m, ready.voidPromise()));
        ready.flush();
        relay.updateClientReads();
        if (waiting != null) {
            waiting.forEach(w -> w.accept(ready));
        }
    }

    private ErrorPage failure(Hop hop, Throwable cause) {
        if (hop.device() != null) {
            return devices.unreachable(hop.device(), cause, relay.origin());
        }
        Failures.Kind kind = Failures.classify(cause);
        Origin target = hop.address();
        return kind == Failures.Kind.FORBIDDEN
                ? new ErrorPage(403, "Destination refused", Failures.describe(cause), target.host())
                : new ErrorPage(kind == Failures.Kind.TIMEOUT ? 504 : 502, "Cannot reach " + target.host(),
                        Failures.describe(cause), target.host());
    }

    /** Runs {@code action} with the connection once it is made (at once if none is being made); null: none. */
    void whenReady(Consumer<Channel> action) {
        if (pending == null) {
            action.accept(channel != null && channel.isActive() ? channel : null);
            return;
        }
        if (onConnected == null) {
            onConnected = new ArrayList<>(1);
        }
        onConnected.add(action);
    }

    void flush() {
        if (channel != null && pending == null) {
            channel.flush();
        }
    }

    /** Lets the live connection go (it is spent, or idle and no longer wanted); not one being made. */
    void drop() {
        if (channel != null && pending == null) {
            channel.close();
            channel = null;
        }
    }

    /** Whether the client may be read: no connection is being made, and the live one can take more. */
    boolean ready() {
        return pending == null && (channel == null || !channel.isActive() || channel.isWritable());
    }
}
