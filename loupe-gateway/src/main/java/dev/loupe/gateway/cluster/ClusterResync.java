package dev.loupe.gateway.cluster;

import dev.loupe.core.cluster.ClusterCodec;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.policy.AutoBypass;
import dev.loupe.gateway.intel.IntelService;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node reading the cluster store in full: on joining, and after every outage (events published meanwhile were
 * lost). When the store's epoch is gone or new (Redis restarted empty, or was replaced), the node first writes back
 * what it holds, without overwriting what another node wrote back first. Runs on the cluster link's thread.
 */
final class ClusterResync {
    private static final Logger log = LoggerFactory.getLogger(ClusterResync.class);

    private final RedisCluster.Keys keys;
    private final IntelService intel;
    private final AutoBypass autoBypass;
    private final String caFingerprint;
    private final String display;

    ClusterResync(RedisCluster.Keys keys, IntelService intel, AutoBypass autoBypass, String caFingerprint,
                  String display) {
        this.keys = keys;
        this.intel = intel;
        this.autoBypass = autoBypass;
        this.caFingerprint = caFingerprint;
        this.display = display;
    }

    /** Returns the store's epoch, which the caller remembers as the one it is in step with. */
    String run(RedisCommands<String, String> redis, String epochSeen, Instant now) {
        String epoch = redis.get(keys.epoch());
        if (epoch == null || !epoch.equals(epochSeen)) {
            if (epoch == null) {
                redis.setnx(keys.epoch(), UUID.randomUUID().toString());
                epoch = redis.get(keys.epoch());
            }
            if (epochSeen != null) {
                log.info("cluster store {} has a new epoch (restarted empty?): this node wrote back {} entries",
                        display, reseed(redis));
            }
        }
        for (AutoBypass.Entry active : autoBypass.active()) {
            redis.hsetnx(keys.bypasses(), ClusterCodec.bypassField(active), ClusterCodec.bypass(active));
        }
        List<Indicator> indicators = new ArrayList<>();
        for (var e : redis.hgetall(keys.indicators()).entrySet()) {
            try {
                Indicator i = ClusterCodec.readIndicator(e.getValue());
                if (i.isExpired(now)) {
                    redis.hdel(keys.indicators(), e.getKey()); // every node may tidy up: HDEL is idempotent
                } else {
                    indicators.add(i);
                }
            } catch (IllegalArgumentException ex) {
                log.warn("cluster store entry {} skipped: {}", e.getKey(), ex.getMessage());
            }
        }
        intel.replacePushed(indicators);
        int bypasses = 0;
        for (var e : redis.hgetall(keys.bypasses()).entrySet()) {
            try {
                AutoBypass.Entry b = ClusterCodec.readBypass(e.getValue());
                if (!now.isBefore(b.until())) {
                    redis.hdel(keys.bypasses(), e.getKey());
                } else if (autoBypass.adopt(b)) {
                    bypasses++;
                }
            } catch (IllegalArgumentException ex) {
                log.warn("cluster store entry {} skipped: {}", e.getKey(), ex.getMessage());
            }
        }
        log.debug("cluster resync: {} pushed indicators, {} bypasses adopted", indicators.size(), bypasses);
        return epoch;
    }

    private int reseed(RedisCommands<String, String> redis) {
        int n = 0;
        for (Indicator i : intel.pushedIndicators()) {
            if (redis.hsetnx(keys.indicators(), ClusterCodec.indicatorField(i.type(), i.value()),
                    ClusterCodec.indicator(i))) {
                n++;
            }
        }
        redis.setnx(keys.ca(), caFingerprint);
        return n;
    }
}
