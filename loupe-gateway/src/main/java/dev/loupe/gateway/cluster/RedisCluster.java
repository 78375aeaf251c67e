package dev.loupe.gateway.cluster;

import dev.loupe.core.cluster.ClusterCodec;
import dev.loupe.core.cluster.ClusterEvent;
import dev.loupe.core.cluster.ClusterView;
import dev.loupe.core.cluster.NodeInfo;
import dev.loupe.core.config.ClusterConfig;
import dev.loupe.core.policy.AutoBypass;
import dev.loupe.gateway.intel.IntelService;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to the other nodes through Redis (Lettuce). Redis holds the shared state (pushed
 * indicators, learned bypasses, heartbeats) in three hashes; every change is also published on one channel,
 * so the other nodes apply it within milliseconds, and a node that (re)connects reads the hashes in full.
 * All Redis work runs on one thread, so a resync and the events that arrive during it apply in order.
 *
 * <p>While Redis is unreachable the node serves on its last state and says "degraded"; pushes are refused
 * (they would reach this node only, and the nodes would silently disagree). A Redis that comes back empty
 * (restarted without persistence: its epoch key is gone) is re-seeded by the nodes from their own state.
 */
public final class RedisCluster implements ClusterLink {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private final ClusterConfig config;
    private final String display;
    private final IntelService intel;
    private final AutoBypass autoBypass;
    private final Clock clock;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService worker;
    private final Keys keys;
    private final LongAdder eventsReceived = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private volatile NodeInfo self;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean up;
    private volatile boolean closing;
    private volatile boolean resyncNeeded = true;
    private volatile String problem;
    private volatile Instant downSince;
    private String epochSeen;
    private final ClusterResync resync;

    record Keys(String indicators, String bypasses, String nodes, String ca, String epoch, String events) {
        static Keys of(String prefix) {
            return new Keys(prefix + "indicators", prefix + "bypasses", prefix + "nodes", prefix + "ca",
                    prefix + "epoch", prefix + "events");
        }
    }

    private RedisCluster(ClusterConfig config, NodeInfo self, IntelService intel, AutoBypass autoBypass,
                         Clock clock) {
        this.config = config;
        this.self = self;
        this.intel = intel;
        this.autoBypass = autoBypass;
        this.clock = clock;
        this.keys = Keys.of(config.keyPrefix());
        this.resync = new ClusterResync(keys, intel, autoBypass, self.caFingerprint(), config.redis());
        this.display = config.redis(); // ClusterConfig refuses a URI with credentials: safe to log
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                // Lettuce's default backs off to 30 s: a Redis that is back would wait that long to be used
                .reconnectDelay(io.lettuce.core.resource.Delay.exponential(Duration.ofMillis(100),
                        Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisAddress.uri(config, COMMAND_TIMEOUT));
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                // a push while Redis is away must fail at once, not wait in Lettuce's queue for a reconnect
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT));
        if (config.caBundle() != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(config.caBundle().toFile()).build());
        }
        client.setOptions(options.build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                // events published while we are away are lost: read everything again once back
                resyncNeeded = true;
                if (!closing) {
                    markDown("connection lost");
                }
            }
        });
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loupe-cluster");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the cluster. A Redis that answers with another CA refuses this node at once (a node forging with
     * another CA would break every client that trusts the cluster's); an unreachable Redis does not stop the
     * start: the node serves alone, degraded, and joins when Redis answers.
     */
    public static RedisCluster start(ClusterConfig config, NodeInfo self, IntelService intel, AutoBypass autoBypass,
                                     Clock clock) {
        RedisCluster cluster = new RedisCluster(config, self, intel, autoBypass, clock);
        try {
            cluster.worker.submit(cluster::connectAndSync).get();
        } catch (java.util.concurrent.ExecutionException e) {
            cluster.close();
            if (e.getCause() instanceof ClusterRefusedException refused) {
                throw refused;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new IllegalStateException("interrupted while joining the cluster");
        }
        autoBypass.onGrant(entry -> cluster.worker.execute(() -> cluster.shareGrant(entry)));
        long every = config.heartbeat().toMillis();
        cluster.worker.scheduleWithFixedDelay(cluster::heartbeat, every, every, TimeUnit.MILLISECONDS);
        return cluster;
    }

    @Override
    public void share(ClusterEvent event) {
        try {
            worker.submit(() -> {
                if (!up) {
                    throw unavailable();
                }
                try {
                    RedisCommands<String, String> redis = connection.sync();
                    switch (event) {
                        case ClusterEvent.IndicatorPut p -> redis.hset(keys.indicators(),
                                ClusterCodec.indicatorField(p.indicator().type(), p.indicator().value()),
                                ClusterCodec.indicator(p.indicator()));
                        case ClusterEvent.IndicatorRemoved r -> redis.hdel(keys.indicators(),
                                ClusterCodec.indicatorField(r.type(), r.value()));
                        case ClusterEvent.BypassGranted b -> redis.hset(keys.bypasses(),
                                ClusterCodec.bypassField(b.bypass()), ClusterCodec.bypass(b.bypass()));
                        case ClusterEvent.BypassRevoked r -> redis.hdel(keys.bypasses(),
                                ClusterCodec.bypassField(r.host(), r.client()));
                    }
                    redis.publish(keys.events(), ClusterCodec.event(event));
                    return null;
                } catch (RuntimeException e) {
                    markDown(RedisAddress.describe(e));
                    throw unavailable();
                }
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof ClusterUnavailableException u ? u : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
    }

    @Override
    public String node() {
        return self.node();
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public List<ClusterView.Member> members() {
        List<NodeInfo> nodes = new ArrayList<>();
        try {
            var c = connection;
            if (up && c != null) {
                for (String json : c.sync().hgetall(keys.nodes()).values()) {
                    try {
                        nodes.add(ClusterCodec.readNode(json));
                    } catch (IllegalArgumentException e) {
                        log.debug("unreadable node entry skipped: {}", e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.debug("node list unavailable: {}", e.toString());
        }
        if (nodes.stream().noneMatch(n -> n.node().equals(self.node()))) {
            nodes.add(self);
        }
        return ClusterView.judge(self, nodes, clock.instant(), config.heartbeat());
    }

    @Override
    public Map<String, Object> status() {
        return Map.of("store", display, "node", self.node(), "reachable", up, "events_received", eventsReceived.sum(),
                "resyncs", resyncs.sum(), "down_since", downSince == null ? "" : downSince.toString());
    }

    @Override
    public boolean reachable() {
        return up;
    }

    @Override
    public void draining() {
        self = withState(self, "draining", self.heartbeat());
        worker.execute(this::heartbeat);
    }

    @Override
    public void close() {
        closing = true;
        worker.shutdownNow();
        try {
            var c = connection;
            if (c != null && up) {
                c.sync().hdel(keys.nodes(), self.node()); // a node that left is not a stale node
            }
        } catch (RuntimeException e) {
            log.debug("could not remove this node's heartbeat: {}", e.toString());
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }

    private void connectAndSync() {
        try {
            if (connection == null) {
                StatefulRedisConnection<String, String> commands = client.connect();
                StatefulRedisPubSubConnection<String, String> events;
                try {
                    events = client.connectPubSub();
                    events.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            worker.execute(() -> apply(message));
                        }
                    });
                    events.sync().subscribe(keys.events());
                } catch (RuntimeException e) {
                    commands.closeAsync();
                    throw e;
                }
                pubSub = events;
                connection = commands;
            }
            checkCa(connection.sync());
            up = true;
            resync();
            heartbeat();
            log.info("cluster: node {} joined through {} ({} pushed indicators, {} bypasses in force)", self.node(),
                    display, intel.pushedIndicators().size(), autoBypass.active().size());
        } catch (ClusterRefusedException e) {
            throw e;
        } catch (RuntimeException e) {
            markDown(RedisAddress.describe(e));
        }
    }

    private void checkCa(RedisCommands<String, String> redis) {
        redis.setnx(keys.ca(), self.caFingerprint());
        String clusterCa = redis.get(keys.ca());
        if (clusterCa != null && !clusterCa.equals(self.caFingerprint())) {
            problem = "refused into the cluster: this node's CA " + self.caFingerprint()
                    + " is not the cluster's " + clusterCa;
            throw new ClusterRefusedException("node " + self.node() + " refused into the cluster at " + display
                    + ": its CA (SHA-256 " + self.caFingerprint() + ") is not the cluster's (" + clusterCa + "). "
                    + "Every node must forge with the same CA: export it from a node of the cluster with "
                    + "'loupe ca export --pkcs12 FILE --password-file PW' and import it here with "
                    + "'loupe ca import --pkcs12 FILE --password-file PW'.");
        }
    }

    /** Every heartbeat also proves that Redis answers; the first one that does after an outage resyncs. */
    private void heartbeat() {
        if (connection == null) {
            connectAndSync();
            return;
        }
        try {
            Instant now = clock.instant();
            self = withState(self, self.state(), now);
            RedisCommands<String, String> redis = connection.sync();
            redis.hset(keys.nodes(), self.node(), ClusterCodec.node(self));
            if (!up) {
                checkCa(redis);
                up = true;
                log.info("cluster store {} reachable again after {} s: resyncing", display,
                        downSince == null ? 0 : Duration.between(downSince, now).toSeconds());
                resyncNeeded = true;
            }
            String epoch = redis.get(keys.epoch());
            if (resyncNeeded || epoch == null || !epoch.equals(epochSeen)) {
                resync();
            }
            problem = null;
            downSince = null;
        } catch (ClusterRefusedException e) {
            up = false;
            log.error(e.getMessage());
        } catch (RuntimeException e) {
            markDown(RedisAddress.describe(e));
        }
    }

    /** Reads the shared state in full (see {@link ClusterResync}); events that arrive meanwhile queue behind it. */
    private void resync() {
        epochSeen = resync.run(connection.sync(), epochSeen, clock.instant());
        resyncNeeded = false;
        resyncs.increment();
    }

    private void apply(String message) {
        ClusterEvent event;
        try {
            event = ClusterCodec.readEvent(message);
        } catch (IllegalArgumentException e) {
            log.warn("cluster event skipped: {}", e.getMessage());
            return;
        }
        if (event.node().equals(self.node())) {
            return; // applied here before it was shared
        }
        eventsReceived.increment();
        switch (event) {
            case ClusterEvent.IndicatorPut p -> intel.push(p.indicator());
            case ClusterEvent.IndicatorRemoved r -> intel.remove(r.type(), r.value());
            case ClusterEvent.BypassGranted b -> autoBypass.adopt(b.bypass());
            case ClusterEvent.BypassRevoked r -> autoBypass.revoke(r.host(), r.client());
        }
    }

    /** A bypass learned here: shared when Redis answers; otherwise written back at the next resync. */
    private void shareGrant(AutoBypass.Entry entry) {
        if (!up) {
            return;
        }
        try {
            RedisCommands<String, String> redis = connection.sync();
            redis.hset(keys.bypasses(), ClusterCodec.bypassField(entry), ClusterCodec.bypass(entry));
            redis.publish(keys.events(), ClusterCodec.event(
                    new ClusterEvent.BypassGranted(self.node(), clock.instant(), entry)));
        } catch (RuntimeException e) {
            markDown(RedisAddress.describe(e));
        }
    }

    private void markDown(String why) {
        if (up || downSince == null) {
            downSince = clock.instant();
            log.warn("cluster store {} unreachable ({}): serving on the last state; pushes are refused until it "
                    + "answers", display, why);
        }
        up = false;
        problem = "cluster store " + display + " unreachable since " + downSince + ": " + why;
    }

    private ClusterUnavailableException unavailable() {
        return new ClusterUnavailableException("cluster store " + display + " is unreachable"
                + (downSince == null ? "" : " since " + downSince) + ": a push now would reach this node only, so it "
                + "is refused; retry when GET /api/status says \"ok\"");
    }

    private static NodeInfo withState(NodeInfo n, String state, Instant heartbeat) {
        return new NodeInfo(n.node(), n.version(), n.configFingerprint(), n.caFingerprint(), state, n.started(),
                heartbeat);
    }
}
