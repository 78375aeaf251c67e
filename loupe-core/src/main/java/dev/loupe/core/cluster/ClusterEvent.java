package dev.loupe.core.cluster;

import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.IndicatorType;
import dev.loupe.core.policy.AutoBypass;
import java.time.Instant;

/** A change one node announces to the others; {@code node} is the sender, {@code at} when it was sent. */
public sealed interface ClusterEvent {
    String node();

    Instant at();

    record IndicatorPut(String node, Instant at, Indicator indicator) implements ClusterEvent {
    }

    record IndicatorRemoved(String node, Instant at, IndicatorType type, String value) implements ClusterEvent {
    }

    record BypassGranted(String node, Instant at, AutoBypass.Entry bypass) implements ClusterEvent {
    }

    /** An operator ended a bypass; {@code client} null for one in global scope. */
    record BypassRevoked(String node, Instant at, String host, String client) implements ClusterEvent {
    }
}
