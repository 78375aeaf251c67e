package dev.loupe.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Several nodes sharing pushed indicators, learned bypasses and their heartbeats through Redis. Off unless
 * {@code redis} is set: a single node needs nothing. Feeds are still loaded by every node itself, so a Redis
 * outage never empties a node.
 *
 * @param redis        {@code redis://host:port[/db]} or {@code rediss://} (TLS); a password in the URI is
 *                     refused (it would end up in logs and in {@code config check}): use {@code passwordFile}
 * @param node         this node's name in the cluster (default: the host name); unique per node
 * @param passwordFile file holding the Redis password ({@code requirepass}), or {@code user:password} for an ACL user
 * @param caBundle     PEM file of the CA that signed Redis's certificate, for {@code rediss://}
 * @param heartbeat    how often the node writes its heartbeat; a node silent for three is reported stale
 * @param keyPrefix    prefix of every key and channel, so several clusters can share one Redis
 */
public record ClusterConfig(String redis, String node, Path passwordFile, Path caBundle, Duration heartbeat,
                            String keyPrefix) {
    public ClusterConfig {
        if (redis != null) {
            URI uri = parse(redis);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                throw new ConfigException("redis", redis, "must start with redis:// or rediss://");
            }
            if (uri.getHost() == null) {
                throw new ConfigException("redis", redis, "names no host (expected redis://host:port)");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigException("redis", "(hidden)", "must not carry a user or password; "
                        + "put them in password-file");
            }
        }
        node = Check.orDefault(node, defaultNodeName());
        if (node.isBlank() || !node.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException("node", node, "must be 1-64 letters, digits, '.', '_' or '-'");
        }
        heartbeat = Check.positive("heartbeat", Check.orDefault(heartbeat, Duration.ofSeconds(1)));
        keyPrefix = Check.orDefault(keyPrefix, "loupe:");
        if (keyPrefix.isBlank()) {
            throw new ConfigException("key-prefix", keyPrefix, "must not be blank");
        }
        if (caBundle != null && redis != null && !redis.toLowerCase(Locale.ROOT).startsWith("rediss:")) {
            throw new ConfigException("ca-bundle", caBundle.toString(), "only applies to rediss:// (TLS)");
        }
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(null, null, null, null, null, null);
    }

    public boolean enabled() {
        return redis != null;
    }

    public boolean tls() {
        return redis != null && redis.toLowerCase(Locale.ROOT).startsWith("rediss:");
    }

    private static URI parse(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException("redis", "(hidden)", "not a URI: " + e.getReason());
        }
    }

    private static String defaultNodeName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "loupe";
            }
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }
}
