package dev.loupe.gateway;

import dev.loupe.core.config.ConfigChanges;
import dev.loupe.core.config.ConfigReload;
import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.policy.ServiceChain;
import dev.loupe.gateway.metrics.GatewayMetrics;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies a re-read configuration to new connections by replacing the gateway's current snapshot. */
final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final AtomicReference<GatewayServices> current;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final IntSupplier openConnections;
    private volatile Supplier<LoupeConfig> configSource;

    ConfigReloader(AtomicReference<GatewayServices> current, GatewayMetrics metrics, Clock clock,
                   IntSupplier openConnections) {
        this.current = current;
        this.metrics = metrics;
        this.clock = clock;
        this.openConnections = openConnections;
    }

    void configSource(Supplier<LoupeConfig> source) {
        this.configSource = source;
    }

    /**
     * Reads the configuration again and, when it is valid and changes only what a reload can apply (see
     * {@link ConfigChanges}), makes it the snapshot of new connections: the policy (rules,
     * categories; learned bypasses stay), the intel sources, limits, HTTP/2 settings, shutdown, PAC. Open
     * connections finish on the snapshot they started with. {@code dryRun} says what it would do.
     */
    synchronized ConfigReload reload(boolean dryRun) {
        var source = configSource;
        if (source == null) {
            return count(ConfigReload.refused(List.of(), "started without a configuration file: nothing to reload"));
        }
        LoupeConfig next;
        try {
            next = source.get();
        } catch (dev.loupe.core.config.ConfigException e) {
            log.warn("configuration reload refused: {}", e.getMessage());
            return count(ConfigReload.invalid(e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("configuration reload refused: {}", e.getMessage());
            return count(ConfigReload.invalid(String.valueOf(e.getMessage())));
        }
        GatewayServices running = current.get();
        var changes = ConfigChanges.between(running.config(), next);
        if (!changes.applicable()) {
            return count(ConfigReload.refused(changes.changed(), "these sections need a restart: "
                    + String.join(", ", changes.needRestart())));
        }
        if (!running.config().policy().autoBypass().equals(next.policy().autoBypass())) {
            return count(ConfigReload.refused(changes.changed(), "policy.auto-bypass needs a restart"));
        }
        if (dryRun) {
            return ConfigReload.dryRun(changes.changed());
        }
        if (changes.none()) {
            return count(ConfigReload.unchanged());
        }
        long start = System.nanoTime();
        dev.loupe.core.policy.ConnectionDecider decider;
        try {
            decider = Policies.decider(next, clock, running.intel(), running.decider().autoBypass());
        } catch (RuntimeException e) {
            log.warn("configuration reload refused: {}", e.getMessage());
            return count(ConfigReload.invalid(String.valueOf(e.getMessage())));
        }
        running.intel().reconfigure(next.intel());
        current.set(new GatewayServices(next, running.ca(), running.transport(), running.connector(), running.tls(),
                running.forgedContexts(), running.validator(), running.accessLog(), running.mirror(), decider,
                running.intel(), running.icap(), running.inline(), running.stages(), running.defences(),
                running.connectionIds(), ServiceChain.byRule(next.policy().rules())));
        long micros = (System.nanoTime() - start) / 1_000;
        log.info("configuration reloaded in {} ms: {} changed; new connections use it, {} open ones finish on theirs",
                micros / 1000.0, changes.changed(), openConnections.getAsInt());
        return count(ConfigReload.applied(changes.changed(), micros));
    }

    private ConfigReload count(ConfigReload outcome) {
        metrics.reloaded(outcome.result());
        return outcome;
    }
}
