package dev.loupe.core.cluster;

import java.time.Instant;

/**
 * One node as it describes itself in its heartbeat.
 *
 * @param configFingerprint {@link dev.loupe.core.config.LoupeConfig#fingerprint()}: nodes of one cluster
 *                          should run the same configuration
 * @param caFingerprint     SHA-256 of the CA certificate: every node must forge with the same CA
 * @param state             "serving" or "draining"
 */
public record NodeInfo(String node, String version, String configFingerprint, String caFingerprint, String state,
                       Instant started, Instant heartbeat) {
}
