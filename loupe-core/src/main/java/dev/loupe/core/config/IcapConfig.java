package dev.loupe.core.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ICAP adaptation (RFC 3507): the services every HTTP exchange may pass through, decrypted HTTPS and plain
 * HTTP alike. REQMOD services see requests and RESPMOD services see responses, each in the order listed.
 * Off unless services are configured.
 *
 * @param services          in chain order
 * @param spoolMemoryBytes  how much of one message body is held in memory while it is scanned; the rest
 *                          goes to a temporary file, so heap use per message never exceeds this
 * @param spoolDirectory    where those temporary files live (default: the system temporary directory)
 */
public record IcapConfig(List<IcapServiceConfig> services, Long spoolMemoryBytes, Path spoolDirectory) {

    public IcapConfig {
        services = List.copyOf(Check.orDefault(services, List.of()));
        spoolMemoryBytes = Check.orDefault(spoolMemoryBytes, 1024L * 1024);
        if (spoolMemoryBytes < 0 || spoolMemoryBytes > 256L * 1024 * 1024) {
            throw new ConfigException("spool-memory-bytes", spoolMemoryBytes, "must be between 0 and 268435456");
        }
        spoolDirectory = Check.orDefault(spoolDirectory, Path.of(System.getProperty("java.io.tmpdir")));
        Set<String> names = new HashSet<>();
        for (IcapServiceConfig service : services) {
            if (!names.add(service.name())) {
                throw new ConfigException("services", service.name(), "service names must be unique");
            }
        }
    }

    public static IcapConfig defaults() {
        return new IcapConfig(null, null, null);
    }

    public boolean enabled() {
        return !services.isEmpty();
    }
}
