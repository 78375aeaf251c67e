package dev.loupe.core.config;

import java.nio.file.Path;

/**
 * The whole configuration, one immutable snapshot. Every section is optional: an absent section
 * takes its defaults, so the gateway runs with no file at all.
 */
public record LoupeConfig(
        Path dataDir,
        CaConfig ca,
        ListenerConfig listener,
        UpstreamConfig upstream,
        ResolverConfig resolver,
        LimitsConfig limits,
        AccessLogConfig accessLog,
        MirrorConfig mirror,
        AdminConfig admin,
        IntelConfig intel,
        PolicyConfig policy,
        TransparentConfig transparent,
        IcapConfig icap,
        InlineConfig inline,
        Http2Config http2,
        java.util.List<String> pipeline,
        ClusterConfig cluster,
        ShutdownConfig shutdown,
        PacConfig pac,
        RuntimeConfig runtime) {

    public LoupeConfig {
        dataDir = Check.orDefault(dataDir, Path.of(System.getProperty("user.home"), ".loupe"));
        ca = Check.orDefault(ca, CaConfig.defaults());
        listener = Check.orDefault(listener, ListenerConfig.defaults());
        upstream = Check.orDefault(upstream, UpstreamConfig.defaults());
        resolver = Check.orDefault(resolver, ResolverConfig.defaults());
        limits = Check.orDefault(limits, LimitsConfig.defaults());
        accessLog = Check.orDefault(accessLog, AccessLogConfig.defaults());
        mirror = Check.orDefault(mirror, MirrorConfig.defaults());
        admin = Check.orDefault(admin, AdminConfig.defaults());
        intel = Check.orDefault(intel, IntelConfig.defaults());
        policy = Check.orDefault(policy, PolicyConfig.defaults());
        transparent = Check.orDefault(transparent, TransparentConfig.defaults());
        icap = Check.orDefault(icap, IcapConfig.defaults());
        inline = Check.orDefault(inline, InlineConfig.defaults());
        http2 = Check.orDefault(http2, Http2Config.defaults());
        cluster = Check.orDefault(cluster, ClusterConfig.defaults());
        shutdown = Check.orDefault(shutdown, ShutdownConfig.defaults());
        pac = Check.orDefault(pac, PacConfig.defaults());
        runtime = Check.orDefault(runtime, RuntimeConfig.defaults());
        pipeline = pipeline == null ? null : java.util.List.copyOf(pipeline);
        StageOrder.resolve(pipeline, inline); // refused here, with the field, rather than at first use
        java.util.Set<String> services = new java.util.HashSet<>();
        icap.services().forEach(sv -> services.add(sv.name()));
        inline.services().forEach(sv -> services.add(sv.name()));
        if (!mirror.sinks().isEmpty()) {
            services.add(dev.loupe.core.policy.ServiceChain.MIRROR);
        }
        dev.loupe.core.policy.ServiceChain.check(policy.rules(), services,
                (i, j) -> "policy.rules[" + i + "].services[" + j + "]");
    }

    public static LoupeConfig defaults() {
        return new LoupeConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    /** The order of the inspection stages (from {@code pipeline:}, or the older inline settings). */
    public StageOrder stageOrder() {
        return StageOrder.resolve(pipeline, inline);
    }

    /**
     * A short digest of everything the nodes of a cluster should share: the whole configuration except the node's
     * own name, its data directory, where it writes its access log and how many threads it runs. Records print every component, so their
     * text is a faithful, stable form.
     */
    public String fingerprint() {
        ClusterConfig c = cluster;
        String shared = new LoupeConfig(Path.of(""), ca, listener, upstream, resolver, limits,
                new AccessLogConfig(null, accessLog.queueSize()), mirror,
                admin, intel, policy, transparent, icap, inline, http2, pipeline,
                new ClusterConfig(c.redis(), "-", c.passwordFile(), c.caBundle(), c.heartbeat(), c.keyPrefix()),
                shutdown, pac, RuntimeConfig.defaults()).toString(); // threads are the node's own
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(shared.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public LoupeConfig withDataDir(Path dir) {
        return new LoupeConfig(dir, ca, listener, upstream, resolver, limits, accessLog, mirror, admin, intel, policy,
                transparent, icap, inline, http2, pipeline, cluster, shutdown, pac, runtime);
    }
}
