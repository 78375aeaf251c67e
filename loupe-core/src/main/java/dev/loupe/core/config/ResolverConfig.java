package dev.loupe.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Name resolution for upstream hosts. Resolution is asynchronous (never on an event loop); an extra
 * hosts file lets an operator pin names, as squid's {@code hosts_file} does.
 */
public record ResolverConfig(Path hostsFile, List<String> nameservers, Duration queryTimeout) {
    public ResolverConfig {
        nameservers = List.copyOf(Check.orDefault(nameservers, List.of()));
        queryTimeout = Check.positive("query-timeout", Check.orDefault(queryTimeout, Duration.ofSeconds(5)));
        if (hostsFile != null && !Files.isReadable(hostsFile)) {
            throw new ConfigException("hosts-file", hostsFile.toString(), "file is not readable");
        }
        for (int i = 0; i < nameservers.size(); i++) {
            String ns = nameservers.get(i);
            int colon = ns.lastIndexOf(':');
            if (colon <= 0 || !ns.substring(colon + 1).chars().allMatch(Character::isDigit)
                    || ns.substring(colon + 1).isEmpty()) {
                throw new ConfigException("nameservers[" + i + "]", ns, "must be address:port, e.g. 127.0.0.53:53");
            }
        }
    }

    public static ResolverConfig defaults() {
        return new ResolverConfig(null, null, null);
    }
}
