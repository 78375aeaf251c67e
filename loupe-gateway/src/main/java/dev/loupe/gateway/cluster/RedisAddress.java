package dev.loupe.gateway.cluster;

import dev.loupe.core.config.ClusterConfig;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;

/** The Redis URI with the password from its file (never in the URI, so the URI is safe to log), and its failures. */
final class RedisAddress {
    private RedisAddress() {
    }

    static RedisURI uri(ClusterConfig config, Duration timeout) {
        RedisURI uri = RedisURI.create(config.redis());
        uri.setTimeout(timeout);
        if (config.passwordFile() != null) {
            try {
                String password = Files.readString(config.passwordFile()).strip();
                uri.setCredentialsProvider(RedisCredentialsProvider.from(() -> RedisCredentials.just(null, password)));
            } catch (IOException e) {
                throw new IllegalStateException("cluster.password-file " + config.passwordFile() + " cannot be read: "
                        + e.getMessage());
            }
        }
        return uri;
    }

    /** The message and its root cause (a refused certificate hides two levels down in Lettuce's exception). */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = String.valueOf(e.getMessage());
        return root == e || root.getMessage() == null || top.contains(root.getMessage()) ? top
                : top + ": " + root.getMessage();
    }
}
