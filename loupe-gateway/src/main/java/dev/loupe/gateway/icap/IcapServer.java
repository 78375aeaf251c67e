package dev.loupe.gateway.icap;

import dev.loupe.core.config.IcapServiceConfig;
import dev.loupe.core.icap.IcapOptions;
import dev.loupe.gateway.relay.Failures;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICAP server of a service: its persistent connections (at most {@code max-connections}, or the
 * server's own lower {@code Max-Connections}), its OPTIONS (refreshed when {@code Options-TTL} runs out) and
 * its health (out of rotation after {@code mark-down-after} consecutive failures, probed again with OPTIONS
 * after {@code revive-after}, through the shared {@link ServerHealth}). One instance per event loop, confined
 * to it, so nothing here is synchronised.
 */
final class IcapServer {
    private static final Logger log = LoggerFactory.getLogger(IcapServer.class);

    private final String serviceName;
    private final URI uri;
    private final URI configuredUri;
    /** For icaps:// servers, null for plain ICAP. */
    private final io.netty.handler.ssl.SslContext tls;
    private final String label;
    private final IcapServiceConfig config;
    private final Bootstrap bootstrap;
    private final IcapMetrics metrics;
    private final Set<IcapConnection> open = new HashSet<>();
    private final ArrayDeque<IcapConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Consumer<IcapConnection>> waiting = new ArrayDeque<>();
    private IcapOptions options;
    private long optionsExpireNanos;
    private final ServerHealth health;
    private int busy;
    /** Set when a reload removed or changed this server's service: connections close when released. */
    private volatile boolean retired;
    /** Event loops with a pool of their own for this server: the connection limit is shared among them. */
    private final int loops;

    /** {@code template}: a bootstrap on this pool's event loop. */
    IcapServer(String serviceName, URI uri, IcapServiceConfig config, Bootstrap template, IcapMetrics metrics,
               ServerHealth health, int loops) {
        this(serviceName, uri, config, template, metrics, health, loops,
                "icaps".equalsIgnoreCase(uri.getScheme()) ? IcapTls.context(config.tls()) : null);
    }

    private IcapServer(String serviceName, URI uri, IcapServiceConfig config, Bootstrap template, IcapMetrics metrics,
                       ServerHealth health, int loops, io.netty.handler.ssl.SslContext tls) {
        this.serviceName = serviceName;
        this.tls = tls;
        // the request line names the service as icap://: the TLS is only the transport (what c-icap and Squid do)
        this.uri = tls == null ? uri : URI.create("icap" + uri.toString().substring("icaps".length()));
        this.configuredUri = uri;
        this.label = (tls == null ? "" : "icaps://") + uri.getHost() + ":" + port() + uri.getRawPath();
        this.config = config;
        this.metrics = metrics;
        this.bootstrap = template.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 512 * 1024));
        this.health = health != null ? health : new ServerHealth(serviceName, label, config, metrics);
        this.loops = Math.max(1, loops);
    }

    /** The same server served from another event loop: its own connections, the same health. */
    IcapServer forLoop(Bootstrap template) {
        IcapServer copy = new IcapServer(serviceName, configuredUri, config, template, metrics, health, loops, tls);
        copy.retired = retired;
        return copy;
    }

    String label() {
        return label;
    }

    URI uri() {
        return uri;
    }

    private int port() {
        return uri.getPort() >= 0 ? uri.getPort() : tls != null ? 11344 : 1344;
    }

    /** In rotation, or out but due for a probe. */
    boolean selectable(long now) {
        return health.selectable(now);
    }

    boolean isDown() {
        return health.isDown();
    }

    /** Connections in use: the least-connections balancer's measure. */
    int load() {
        return busy + waiting.size();
    }

    /** Current OPTIONS, or null when they must be (re)fetched first. */
    IcapOptions freshOptions(long now) {
        return options != null && (optionsExpireNanos == 0 || now - optionsExpireNanos < 0) && !health.isDown() ? options : null;
    }

    void optionsReceived(IcapOptions received) {
        options = received;
        optionsExpireNanos = received.optionsTtl() == null ? 0
                : System.nanoTime() + Math.max(1, received.optionsTtl().toNanos());
        // a lower Max-Connections than we have open: idle extras go now, busy ones when released
        while (open.size() > maxConnections() && !idle.isEmpty()) {
            IcapConnection extra = idle.pollLast();
            open.remove(extra);
            extra.close();
        }
    }

    /** This loop's share of the server's connection limit (the lower of the configured and the advertised). */
    int maxConnections() {
        Integer advertised = options == null ? null : options.maxConnections();
        int total = advertised == null || advertised < 1 ? config.maxConnections()
                : Math.min(config.maxConnections(), advertised);
        return Math.max(1, total / loops);
    }

    /** Hands a connection to {@code use} now or when one frees up; null means it could not connect. */
    void acquire(Consumer<IcapConnection> use) {
        int max = maxConnections();
        if (busy >= max) {
            waiting.addLast(use);
            return;
        }
        while (!idle.isEmpty()) {
            IcapConnection connection = idle.pollFirst();
            if (connection.usable() && open.size() <= max) {
                busy++;
                use.accept(connection);
                return;
            }
            // dead, or beyond a limit the server announced since it was opened
            open.remove(connection);
            connection.close();
        }
        connect(use);
    }

    private void connect(Consumer<IcapConnection> use) {
        IcapConnection connection = new IcapConnection(this);
        open.add(connection);
        busy++;
        io.netty.channel.ChannelHandler handler = tls == null ? connection : new io.netty.channel.ChannelInitializer<>() {
            @Override
            protected void initChannel(io.netty.channel.Channel ch) {
                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), uri.getHost(), port()));
                ch.pipeline().addLast(connection);
            }
        };
        ChannelFuture f = bootstrap.handler(handler).connect(uri.getHost(), port());
        f.addListener(connected -> {
            var ssl = connected.isSuccess() && tls != null
                    ? f.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) : null;
            if (ssl == null) {
                afterConnect(connection, connected, use, false);
            } else {
                // in use only once the server's certificate has been checked
                ssl.handshakeFuture().addListener(handshake -> afterConnect(connection, handshake, use, true));
            }
        });
    }

    private void afterConnect(IcapConnection connection, io.netty.util.concurrent.Future<?> done,
                              Consumer<IcapConnection> use, boolean handshake) {
        if (done.isSuccess()) {
            use.accept(connection);
            return;
        }
        connection.close();
        open.remove(connection);
        busy--;
        if (handshake) {
            // the server answers but TLS fails (untrusted certificate, wrong name): say so where the operator looks
            Throwable root = done.cause();
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            log.warn("ICAP {} {}: TLS handshake failed: {} ({})", serviceName, label, Failures.describe(done.cause()),
                    root.getMessage());
        } else {
            log.debug("ICAP {} {}: connect failed: {}", serviceName, label, Failures.describe(done.cause()));
        }
        use.accept(null);
        serveWaiting();
    }

    void released(IcapConnection connection, boolean reusable) {
        busy--;
        if (reusable && (retired || open.size() > maxConnections())) {
            connection.close();
            reusable = false;
        }
        if (reusable) {
            Consumer<IcapConnection> next = waiting.pollFirst();
            if (next != null) {
                busy++;
                next.accept(connection);
            } else {
                idle.addLast(connection);
            }
            return;
        }
        open.remove(connection);
        serveWaiting();
    }

    void connectionClosed(IcapConnection connection) {
        idle.remove(connection);
        if (open.remove(connection)) {
            serveWaiting();
        }
    }

    private void serveWaiting() {
        if (!waiting.isEmpty() && busy < maxConnections()) {
            acquire(waiting.pollFirst());
        }
    }

    void recordSuccess(long nanos) {
        health.timed(nanos);
        metrics.requests.labelValues(serviceName, label).inc();
        metrics.latency.labelValues(serviceName, label).observe(nanos / 1e9);
        health.success();
    }

    void recordFailure(String reason) {
        metrics.requests.labelValues(serviceName, label).inc();
        metrics.errors.labelValues(serviceName, label).inc();
        if (health.failure(reason)) {
            idle.forEach(IcapConnection::close);
            idle.clear();
        }
    }

    /** Queued transactions cannot wait for a server that went down: they fail (and retry elsewhere). */
    void failWaiting() {
        while (!waiting.isEmpty()) {
            waiting.pollFirst().accept(null);
        }
    }

    /**
     * A reload took this server's service out of the configuration: idle connections close now, busy ones when
     * their transaction ends. Connections still on the old snapshot can use it (a connection per transaction).
     */
    void retire() {
        retired = true;
        idle.forEach(IcapConnection::close);
        idle.clear();
    }

    java.util.Map<String, Object> describe() {
        return health.describe();
    }

    void close() {
        waiting.clear();
        new java.util.ArrayList<>(open).forEach(IcapConnection::close);
    }
}
