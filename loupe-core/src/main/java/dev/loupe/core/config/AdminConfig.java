package dev.loupe.core.config;

import java.nio.file.Path;

/**
 * The admin API (indicators push, automatic bypasses, status). Bound to loopback by default and
 * always authenticated with a bearer token; the token file is created (mode 0600) on first start.
 */
public record AdminConfig(String address, Integer port, Path tokenFile) {
    public AdminConfig {
        address = Check.orDefault(address, "127.0.0.1");
        port = Check.range("port", Check.orDefault(port, 8081), 0, 65535);
        if (address.isBlank()) {
            throw new ConfigException("address", address, "must be an IP address");
        }
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null, null, null);
    }

    /** The token file: configured, or {@code admin.token} in the data directory. */
    public Path tokenFile(Path dataDir) {
        return tokenFile != null ? tokenFile : dataDir.resolve("admin.token");
    }
}
