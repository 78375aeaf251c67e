package dev.loupe.core.config;

import java.nio.file.Path;

/** Where the JSON-lines access log goes: {@code stdout} or a file path. */
public record AccessLogConfig(String target, Integer queueSize) {
    public static final String STDOUT = "stdout";

    public AccessLogConfig {
        target = Check.orDefault(target, STDOUT);
        queueSize = Check.range("queue-size", Check.orDefault(queueSize, 65_536), 16, 16_777_216);
        if (target.isBlank()) {
            throw new ConfigException("target", target, "must be 'stdout' or a file path");
        }
    }

    public static AccessLogConfig defaults() {
        return new AccessLogConfig(null, null);
    }

    public boolean toStdout() {
        return STDOUT.equals(target);
    }

    public Path file() {
        return Path.of(target);
    }
}
