package dev.loupe.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One threat-intelligence source. {@code type}: {@code file} (re-read when it changes), {@code http}
 * (pulled every {@code interval} with ETag / If-Modified-Since) or {@code taxii} (a TAXII 2.1
 * collection polled with {@code added_after}). {@code format} for file and http: plain, csv, hosts,
 * rpz or stix.
 */
public record IntelSourceConfig(
        String name,
        String type,
        String format,
        Path path,
        URI url,
        Duration interval,
        Integer risk,
        Path tokenFile) {

    public IntelSourceConfig {
        if (name == null || name.isBlank() || name.equals("api")) {
            throw new ConfigException("name", String.valueOf(name), "a source needs a name (not 'api', kept for the push API)");
        }
        if (type == null) {
            throw new ConfigException("type", "", "must be one of file, http, taxii");
        }
        format = Check.orDefault(format, type.equals("taxii") ? "stix" : "plain");
        // files are cheap to re-check (modification time); remote feeds are polled politely
        Duration defaultInterval = type.equals("file") ? Duration.ofSeconds(5) : Duration.ofMinutes(15);
        interval = Check.positive("interval", Check.orDefault(interval, defaultInterval));
        risk = Check.range("risk", Check.orDefault(risk, 80), 0, 100);
        switch (type) {
            case "file" -> {
                if (path == null) {
                    throw new ConfigException("path", "", "a file source needs a path");
                }
            }
            case "http", "taxii" -> {
                if (url == null || url.getScheme() == null
                        || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
                    throw new ConfigException("url", String.valueOf(url), "an " + type + " source needs an http(s) URL");
                }
            }
            default -> throw new ConfigException("type", type, "must be one of file, http, taxii");
        }
        if (!java.util.Set.of("plain", "csv", "hosts", "rpz", "stix").contains(format)) {
            throw new ConfigException("format", format, "must be one of plain, csv, hosts, rpz, stix");
        }
    }
}
