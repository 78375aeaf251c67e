/**
 * The pure parts of running several nodes as one gateway: what they tell each other through the cluster
 * store (pushed indicators, learned bypasses, heartbeats) as JSON, and how a node judges the others
 * (stale, another configuration, another CA). Talking to Redis is the gateway's job.
 */
package dev.loupe.core.cluster;
