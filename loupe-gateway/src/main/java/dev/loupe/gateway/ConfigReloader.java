package dev.loupe.gateway;

import dev.loupe.core.config.ConfigChanges;
import dev.loupe.core.config.ConfigReload;
import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.policy.ConnectionDecider;
import dev.loupe.core.policy.ServiceChain;
import dev.loupe.gateway.icap.IcapAdaptation;
import dev.loupe.gateway.icap.IcapMetrics;
import dev.loupe.gateway.metrics.GatewayMetrics;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.gateway.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a re-read configuration to new connections by replacing the gateway's current snapshot. Everything
 * that can fail (the policy, binding a moved listener, opening a new mirror sink) is done first and undone on
 * failure, so a refused reload changes nothing; then the snapshot is swapped.
 */
final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** What a reload rebuilds besides the snapshot itself. */
    record Parts(Listeners listeners, EventLoopGroup loops, Transport transport, IcapMetrics icapMetrics,
                 dev.loupe.gateway.inline.InlineMetrics inlineMetrics) {
    }

    private final AtomicReference<GatewayServices> current;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final IntSupplier openConnections;
    private final Parts parts;
    /** The mirror, also while a reload left it without sinks (kept for a later reload; closed with the gateway). */
    private Mirror mirror;
    private volatile Supplier<LoupeConfig> configSource;
    private volatile dev.loupe.gateway.admin.AdminServer admin;
    private volatile java.util.function.Consumer<java.net.InetSocketAddress> newListener = a -> { };
    private volatile ConfigReload last;
    private volatile java.time.Instant lastAt;

    ConfigReloader(AtomicReference<GatewayServices> current, GatewayMetrics metrics, Clock clock,
                   IntSupplier openConnections, Parts parts) {
        this.current = current;
        this.metrics = metrics;
        this.clock = clock;
        this.openConnections = openConnections;
        this.parts = parts;
        this.mirror = current.get().mirror();
    }

    /** The admin API, which a reload may move; {@code listening} learns every address Loupe listens on. */
    void admin(dev.loupe.gateway.admin.AdminServer server,
               java.util.function.Consumer<java.net.InetSocketAddress> listening) {
        this.admin = server;
        this.newListener = listening;
    }

    void configSource(Supplier<LoupeConfig> source) {
        this.configSource = source;
    }

    /** The outcome of the latest reload (not a dry run) and when it happened; null before the first. */
    java.util.Map<String, Object> lastDescribed() {
        ConfigReload l = last;
        if (l == null) {
            return null;
        }
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("result", l.result());
        m.put("changed", l.changed());
        m.put("message", l.message());
        m.put("micros", l.micros());
        m.put("at", String.valueOf(lastAt));
        return m;
    }

    /**
     * Reads the configuration again and, when it is valid and changes only what a reload can apply (see
     * {@link ConfigChanges}), makes it the snapshot of new connections: the policy (learned bypasses stay),
     * intel sources, ICAP services (unchanged ones keep their connections), mirror sinks, the access-log target,
     * listener addresses, limits, HTTP/2, pipeline order, shutdown, PAC. Open connections finish on the
     * snapshot they started with. {@code dryRun} says what it would do.
     */
    synchronized ConfigReload reload(boolean dryRun) {
        var source = configSource;
        if (source == null) {
            return count(ConfigReload.refused(List.of(), "started without a configuration file: nothing to reload"));
        }
        LoupeConfig next;
        try {
            next = source.get();
        } catch (RuntimeException e) {
            log.warn("configuration reload refused: {}", e.getMessage());
            return count(ConfigReload.invalid(String.valueOf(e.getMessage())));
        }
        GatewayServices running = current.get();
        LoupeConfig was = running.config();
        var changes = ConfigChanges.between(was, next);
        if (!changes.applicable()) {
            return count(ConfigReload.refused(changes.changed(), "these sections need a restart: "
                    + String.join(", ", changes.needRestart())));
        }
        String restart = restartOnlyField(was, next);
        if (restart != null) {
            return count(ConfigReload.refused(changes.changed(), restart + " needs a restart"));
        }
        if (dryRun) {
            return ConfigReload.dryRun(changes.changed());
        }
        if (changes.none()) {
            return count(ConfigReload.unchanged());
        }
        long start = System.nanoTime();
        ConnectionDecider decider;
        Listeners.Rebind rebind;
        try {
            decider = Policies.decider(next, clock, running.intel(), running.decider().autoBypass());
            rebind = parts.listeners().prepare(was, next);
        } catch (Exception e) {
            return invalid(e);
        }
        dev.loupe.gateway.admin.AdminServer.Rebind adminRebind = null;
        Mirror nextMirror;
        try {
            if (admin != null && (!was.admin().address().equals(next.admin().address())
                    || !was.admin().port().equals(next.admin().port()))) {
                adminRebind = admin.prepareRebind(next.admin().address(), next.admin().port());
            }
            nextMirror = mirror(was, next);
        } catch (Exception e) {
            rebind.abort();
            if (adminRebind != null) {
                adminRebind.abort();
            }
            return invalid(e);
        }
        IcapAdaptation icap = icap(running.icap(), was, next);
        dev.loupe.gateway.inline.Inline inline = inline(running, was, next);
        if (!was.accessLog().target().equals(next.accessLog().target())) {
            running.accessLog().retarget(next.accessLog().target());
        }
        running.intel().reconfigure(next.intel());
        current.set(new GatewayServices(next, running.ca(), running.transport(), running.connector(), running.tls(),
                running.forgedContexts(), running.validator(), running.accessLog(), nextMirror, decider,
                running.intel(), icap, inline,
                Stages.plan(next.stageOrder(), running.intel(), icap, inline), running.defences(),
                running.connectionIds(), ServiceChain.byRule(next.policy().rules())));
        rebind.commit();
        if (adminRebind != null) {
            newListener.accept(adminRebind.address());
            adminRebind.commit();
        }
        if (inline != running.inline()) {
            inline.service().startProbing(l3Probe(inline.service().config(), running));
            running.inline().close(); // its probes stop; connections on the old snapshot still use its devices
        }
        long micros = (System.nanoTime() - start) / 1_000;
        log.info("configuration reloaded in {} ms: {} changed; new connections use it, {} open ones finish on theirs",
                micros / 1000.0, changes.changed(), openConnections.getAsInt());
        return count(ConfigReload.applied(changes.changed(), micros));
    }

    /** The inline service of the next snapshot: the same one, or one with the new devices and settings. */
    private dev.loupe.gateway.inline.Inline inline(GatewayServices running, LoupeConfig was, LoupeConfig next) {
        if (was.inline().equals(next.inline())) {
            return running.inline();
        }
        return running.inline().reconfigured(next.inline(), parts.inlineMetrics(),
                l3Probe(next.inline().services().get(0), running));
    }

    /** The loop probe of a routed (L3, L2) service, null for an HTTP one (its probe needs no help). */
    private dev.loupe.gateway.inline.InlineHttpService.L3Probe l3Probe(
            dev.loupe.core.config.InlineServiceConfig service, GatewayServices running) {
        return service.routed() ? new dev.loupe.gateway.proxy.InlineL3Probe(running.connector(), parts.loops(), service)
                : null;
    }

    /** A field of a reloadable section that still needs a restart, named for the refusal; null when none. */
    private static String restartOnlyField(LoupeConfig was, LoupeConfig next) {
        String inline = ConfigChanges.inlineNeedsRestart(was.inline(), next.inline());
        if (inline != null) {
            return inline;
        }
        if (!was.policy().autoBypass().equals(next.policy().autoBypass())) {
            return "policy.auto-bypass";
        }
        if (!Objects.equals(was.admin().tokenFile(), next.admin().tokenFile())) {
            return "admin.token-file";
        }
        if (!Objects.equals(was.accessLog().queueSize(), next.accessLog().queueSize())) {
            return "access-log.queue-size";
        }
        return null;
    }

    private ConfigReload invalid(Exception e) {
        log.warn("configuration reload refused: {}", e.toString());
        return count(ConfigReload.invalid(e.getMessage() == null ? e.toString() : e.getMessage()));
    }

    /** The mirror of the next snapshot: the same object reconfigured, a new one, or null (no sink). */
    private Mirror mirror(LoupeConfig was, LoupeConfig next) throws Exception {
        if (was.mirror().equals(next.mirror())) {
            return current.get().mirror();
        }
        if (mirror == null) {
            mirror = Mirror.start(next.mirror(), parts.loops(), parts.transport().serverChannel());
            return mirror;
        }
        mirror.reconfigure(next.mirror(), parts.loops(), parts.transport().serverChannel());
        return next.mirror().enabled() ? mirror : null;
    }

    private IcapAdaptation icap(IcapAdaptation running, LoupeConfig was, LoupeConfig next) {
        if (was.icap().equals(next.icap())) {
            return running;
        }
        if (running == null) {
            return IcapAdaptation.start(next.icap(), parts.transport(), parts.loops(), parts.icapMetrics());
        }
        return running.reconfigured(next.icap());
    }

    synchronized void closeMirror() {
        if (mirror != null) {
            mirror.close();
        }
    }

    private ConfigReload count(ConfigReload outcome) {
        metrics.reloaded(outcome.result());
        last = outcome;
        lastAt = clock.instant();
        return outcome;
    }
}
