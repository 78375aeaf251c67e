package dev.loupe.gateway;

import dev.loupe.gateway.intel.IntelService;
import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.log.AccessLog;
import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.core.pki.CertificateForge;
import dev.loupe.core.trust.CachingCertificateValidator;
import dev.loupe.core.trust.TrustAnchors;
import dev.loupe.core.trust.UpstreamCertificateValidator;
import dev.loupe.gateway.admin.AdminRoutes;
import dev.loupe.gateway.admin.AdminServer;
import dev.loupe.gateway.admin.AdminToken;
import dev.loupe.gateway.cluster.ClusterLink;
import dev.loupe.gateway.cluster.NodeHealth;
import dev.loupe.gateway.cluster.Nodes;
import dev.loupe.gateway.cluster.RedisCluster;
import dev.loupe.core.config.StageOrder;
import dev.loupe.gateway.icap.IcapAdaptation;
import dev.loupe.gateway.icap.IcapMetrics;
import dev.loupe.gateway.inline.Inline;
import dev.loupe.gateway.metrics.GatewayMetrics;
import dev.loupe.gateway.metrics.MeteredAccessLog;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.core.policy.ConnectionDecider;
import dev.loupe.gateway.proxy.ExplicitProxyInitializer;
import dev.loupe.gateway.relay.OriginConnector;
import dev.loupe.gateway.tls.ForgedContextCache;
import dev.loupe.gateway.tls.TlsContexts;
import dev.loupe.gateway.transport.ClientConnections;
import dev.loupe.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: its event loops, shared services and listening socket. */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final EventLoopGroup loops;
    private final ExecutorService forgeExecutor;
    private final GatewayServices services;
    private final Listeners listeners;
    private final AdminServer admin;
    private final ExecutorService adminExecutor;

    private final Channel returnListener;
    private final ClientConnections clients;
    private final NodeHealth health;
    private final ClusterLink cluster;
    /** The configuration snapshot new connections start on; a reload replaces it, open connections keep theirs. */
    private final java.util.concurrent.atomic.AtomicReference<GatewayServices> current;
    private final dev.loupe.gateway.admin.DashboardSessions dashboard;
    private final ConfigReloader reloader;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CompletableFuture<Void> terminated = new java.util.concurrent.CompletableFuture<>();

    private Gateway(EventLoopGroup loops, ExecutorService forgeExecutor, GatewayServices services, Listeners listeners,
                    AdminServer admin, ExecutorService adminExecutor, Channel returnListener,
                    ClientConnections clients, NodeHealth health, ClusterLink cluster,
                    java.util.concurrent.atomic.AtomicReference<GatewayServices> current, ConfigReloader reloader,
                    dev.loupe.gateway.admin.DashboardSessions dashboard) {
        this.dashboard = dashboard;
        this.current = current;
        this.reloader = reloader;
        this.health = health;
        this.cluster = cluster;
        this.returnListener = returnListener;
        this.clients = clients;
        this.adminExecutor = adminExecutor;
        this.loops = loops;
        this.forgeExecutor = forgeExecutor;
        this.services = services;
        this.listeners = listeners;
        this.admin = admin;
    }

    /** Starts listening; the access log is closed with the gateway. */
    public static Gateway start(LoupeConfig config, CertificateAuthority ca, AccessLog accessLog) throws Exception {
        Clock clock = Clock.systemUTC();
        Transport transport = Transport.select();
        TlsContexts tls = TlsContexts.create();
        EventLoopGroup loops = transport.newGroup(config.runtime().loops(),
                new DefaultThreadFactory("loupe-io", true));
        ExecutorService forgeExecutor = Executors.newFixedThreadPool(2, new DefaultThreadFactory("loupe-forge", true));
        ClusterLink closeOnFailure = null;
        try {
            var upstreamConfig = config.upstream();
            TrustAnchors anchors = TrustAnchors.load(Optional.ofNullable(upstreamConfig.systemCaBundle()),
                    upstreamConfig.extraCaBundles());
            var validator = new CachingCertificateValidator(new UpstreamCertificateValidator(anchors, clock), clock);
            var forged = new ForgedContextCache(new CertificateForge(ca, clock), tls, forgeExecutor, clock, 10_000);
            var guard = new dev.loupe.core.net.DestinationGuard(upstreamConfig.allowLocalDestinations(),
                    dev.loupe.core.net.DestinationGuard.systemAddresses());
            var defences = new dev.loupe.gateway.session.Defences();
            var connector = new OriginConnector(transport, Resolvers.create(config.resolver(), transport), guard,
                    () -> defences.refused("forbidden-destination"), upstreamConfig.connectTimeout(),
                    config.limits().idleTimeout());
            long rotateMillis = config.ca().leafKeyLifetime().toMillis();
            loops.scheduleAtFixedRate(forged::rotateLeafKey, rotateMillis, rotateMillis, TimeUnit.MILLISECONDS);
            Mirror mirror = Mirror.start(config.mirror(), loops, transport.serverChannel());
            IntelService intel = new IntelService(config.intel(), clock);
            ConnectionDecider decider = Policies.decider(config, clock, intel);
            GatewayMetrics metrics = new GatewayMetrics();
            metrics.observe(defences, mirror, decider.autoBypass(), intel);
            IcapMetrics icapMetrics = new IcapMetrics(metrics.registry());
            IcapAdaptation icap = IcapAdaptation.start(config.icap(), transport, loops, icapMetrics);
            var inlineMetrics = new dev.loupe.gateway.inline.InlineMetrics(metrics.registry());
            Inline inline = Inline.create(config.inline(), inlineMetrics);
            StageOrder.legacyNote(config.pipeline(), config.inline()).ifPresent(log::warn);
            var recent = new dev.loupe.gateway.admin.RecentRecords(new MeteredAccessLog(accessLog, metrics.registry()),
                    500);
            GatewayServices services = new GatewayServices(config, ca, transport, connector, tls, forged, validator,
                    recent, mirror, decider, intel, icap, inline,
                    Stages.plan(config.stageOrder(), intel, icap, inline), defences, new AtomicLong(),
                    dev.loupe.core.policy.ServiceChain.byRule(config.policy().rules()));
            ClientConnections clients = new ClientConnections();
            java.util.concurrent.atomic.AtomicReference<GatewayServices> current =
                    new java.util.concurrent.atomic.AtomicReference<>(services);
            NodeHealth health = new NodeHealth(clock.instant());
            var self = new dev.loupe.core.cluster.NodeInfo(config.cluster().node(), Nodes.version(),
                    config.fingerprint(), ca.sha256Fingerprint(), "serving", clock.instant(), clock.instant());
            ClusterLink cluster = config.cluster().enabled()
                    ? RedisCluster.start(config.cluster(), self, intel, decider.autoBypass(), clock)
                    : ClusterLink.single(self);
            closeOnFailure = cluster;
            health.watch(cluster::problem);
            metrics.observe(cluster);
            Gateway[] gatewayRef = new Gateway[1]; // the admin API's drain route needs the gateway it is part of
            Listeners listeners = new Listeners(transport, loops, clients, guard, current::get);
            listeners.bind(config);
            log.info("TLS {}, {} trusted roots", tls.providerName(), anchors.size());
            var reloader = new ConfigReloader(current, metrics, clock, clients::size,
                    new ConfigReloader.Parts(listeners, loops, transport, icapMetrics, inlineMetrics));
            // admin work (e.g. rebuilding a large indicator store) must not delay certificate forging
            ExecutorService adminExecutor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("loupe-admin", true));
            var dashboard = new dev.loupe.gateway.admin.DashboardSessions();
            loops.scheduleAtFixedRate(() -> recent.history().sample(clock.instant(), clients.size()),
                    dev.loupe.gateway.admin.TrafficHistory.INTERVAL_SECONDS,
                    dev.loupe.gateway.admin.TrafficHistory.INTERVAL_SECONDS, TimeUnit.SECONDS);
            AdminServer admin = AdminServer.start(config.admin().address(), config.admin().port(),
                    AdminToken.loadOrCreate(config.admin().tokenFile(config.dataDir())),
                    AdminRoutes.of(intel, decider.autoBypass(), new GatewayView(current::get, reloader,
                                    listeners::explicitAddress), metrics, clock, health, cluster,
                            why -> gatewayRef[0].drain(why), dryRun -> gatewayRef[0].reload(dryRun), recent), loops,
                    transport.serverChannel(), adminExecutor, dashboard);
            guard.addListener(admin.address());
            reloader.admin(admin, guard::addListener);
            // the one URL that carries a credential: it signs in once, then only the HttpOnly cookie does
            log.info("dashboard: http://{}:{}/ui/login?once={} (one-time sign-in link; or sign in with the admin token)",
                    admin.address().getHostString(), admin.address().getPort(), dashboard.oneTimeToken());
            Channel returnListener = null;
            if (services.inline() != null && services.inline().service().routed()) {
                var l3 = services.inline().service().config();
                returnListener = new ServerBootstrap()
                        .group(loops)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true)
                        // replies carry this mark, which the operator routes back through the device
                        .option(dev.loupe.gateway.transport.Transport.SO_MARK, l3.returnMark())
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OriginConnector.WATER_MARK)
                        .childOption(ChannelOption.RECVBUF_ALLOCATOR, OriginConnector.READS)
                        .childHandler(new dev.loupe.gateway.proxy.ReturnListenerInitializer(current::get,
                                config.transparent().allowedClientNetworks(), true))
                        .bind(config.transparent().address(), l3.returnPort()).sync().channel();
                log.info("Loupe TPROXY return listener for inline {} service {} on {}",
                        l3.type().toUpperCase(java.util.Locale.ROOT), l3.name(),
                        returnListener.localAddress());
                services.inline().service().startProbing(new dev.loupe.gateway.proxy.InlineL3Probe(connector,
                        loops, l3));
            } else if (services.inline() != null) {
                returnListener = new ServerBootstrap()
                        .group(loops)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OriginConnector.WATER_MARK)
                        .childOption(ChannelOption.RECVBUF_ALLOCATOR, OriginConnector.READS)
                        .childHandler(new dev.loupe.gateway.proxy.ReturnListenerInitializer(current::get))
                        .bind(config.inline().returnAddress(), config.inline().returnPort()).sync().channel();
                log.info("Loupe return listener for inline devices on {}", returnListener.localAddress());
                services.inline().service().startProbing();
            }
            if (returnListener != null) {
                guard.addListener((InetSocketAddress) returnListener.localAddress());
            }
            gatewayRef[0] = new Gateway(loops, forgeExecutor, services, listeners, admin, adminExecutor,
                    returnListener, clients, health, cluster, current, reloader, dashboard);
            return gatewayRef[0];
        } catch (Exception | Error e) {
            if (closeOnFailure != null) {
                closeOnFailure.close();
            }
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            forgeExecutor.shutdownNow();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return listeners.explicitAddress();
    }

    /** The inline devices' return listener, null when no inline service is configured. */
    public InetSocketAddress returnAddress() {
        return returnListener == null ? null : (InetSocketAddress) returnListener.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** The snapshot new connections start on. */
    public GatewayServices services() {
        return current.get();
    }

    /** A fresh one-time sign-in link for the dashboard (the operator's, or a test's). */
    public String dashboardLink() {
        return "http://" + admin.address().getHostString() + ":" + admin.address().getPort() + "/ui/login?once="
                + dashboard.oneTimeToken();
    }

    /** Where a reload reads the configuration (the file and options the node was started with). */
    public void configSource(java.util.function.Supplier<LoupeConfig> source) {
        reloader.configSource(source);
    }

    /** See {@link ConfigReloader#reload}. */
    public dev.loupe.core.config.ConfigReload reload(boolean dryRun) {
        return reloader.reload(dryRun);
    }


    public NodeHealth health() {
        return health;
    }

    /** Waits until the gateway has closed (after {@link #close()} or the end of a {@link #drain}). */
    public void awaitClose() throws InterruptedException {
        try {
            terminated.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Leaves gracefully: health checks say "draining" at once; after {@code shutdown.announce-delay} the
     * listeners stop accepting; connections in flight get {@code shutdown.drain-timeout} to finish; then
     * everything closes. Idempotent: a second call returns the same future.
     */
    public java.util.concurrent.CompletableFuture<Void> drain(String why) {
        var shutdown = current.get().config().shutdown();
        if (!health.startDraining(java.time.Instant.now())) {
            return terminated;
        }
        cluster.draining();
        log.info("draining ({}): health checks say draining now; accepting new connections for {} more, then "
                + "waiting up to {} for the {} open", why, shutdown.announceDelay(), shutdown.drainTimeout(),
                clients.size());
        Thread.ofPlatform().name("loupe-drain").start(() -> {
            try {
                Thread.sleep(shutdown.announceDelay());
                stopAccepting();
                long deadline = System.nanoTime() + shutdown.drainTimeout().toNanos();
                while (clients.size() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                int left = clients.size();
                if (left > 0) {
                    log.warn("drain timeout ({}) reached: closing {} connections still open",
                            shutdown.drainTimeout(), left);
                } else {
                    log.info("drained: no connection left");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        });
        return terminated;
    }

    /** Closes the listening sockets, so that new connections are refused at once; open ones go on. */
    private void stopAccepting() {
        listeners.close();
        log.info("stopped accepting new connections; {} open", clients.size());
        clients.announce(dev.loupe.gateway.session.DrainEvent.INSTANCE);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            closeAll();
        } finally {
            terminated.complete(null);
        }
    }

    private void closeAll() {
        listeners.close();
        if (returnListener != null) {
            returnListener.close().awaitUninterruptibly();
            current.get().inline().close();
        }
        // each connection closes through its pipeline (HTTP/2 says GOAWAY); the event loops then end what is left
        clients.closeAll(java.time.Duration.ofSeconds(2));
        admin.close();
        cluster.close();
        GatewayServices last = current.get();
        last.intel().close();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        forgeExecutor.shutdownNow();
        adminExecutor.shutdownNow();
        services.forgedContexts().close();
        services.tls().close();
        reloader.closeMirror();
        if (last.icap() != null) {
            last.icap().close();
        }
        last.accessLog().close();
    }
}
