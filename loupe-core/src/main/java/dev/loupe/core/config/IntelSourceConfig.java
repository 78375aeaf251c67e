package dev.loupe.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One threat-intelligence source. {@code type}: {@code file} (re-read when it changes), {@code http}
 * (pulled every {@code interval} with ETag / If-Modified-Since) or {@code taxii} (a TAXII 2.1
 * collection polled with {@code added_after}). {@code format} for file and http: plain, csv, hosts,
 * rpz, stix (2.1 bundles), stix1 (STIX 1.x XML), misp (a MISP feed: {@code path} a directory or {@code url}
 * the feed's base, holding manifest.json), urlhaus or threatfox (abuse.ch CSV dumps).
 *
 * @param columns for csv: the header names of the columns Loupe reads, when the feed does not use its own names
 *                (keys type, value, risk, expires, include-subdomains), e.g. a vendor's export
 * @param types   for csv: the feed's type names mapped to url, domain, ip or cidr (case-insensitive); a row whose
 *                type is not listed is skipped and counted
 * @param misp    for misp: which events to take
 */
public record IntelSourceConfig(
        String name,
        String type,
        String format,
        Path path,
        URI url,
        Duration interval,
        Integer risk,
        Path tokenFile,
        java.util.Map<String, String> columns,
        java.util.Map<String, String> types,
        MispConfig misp) {

    static final java.util.List<String> FORMATS = java.util.List.of("plain", "csv", "hosts", "rpz", "stix", "stix1",
            "misp", "urlhaus", "threatfox");

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
        if (!FORMATS.contains(format)) {
            throw new ConfigException("format", format, "must be one of " + String.join(", ", FORMATS));
        }
        columns = columns == null ? java.util.Map.of() : java.util.Map.copyOf(columns);
        types = types == null ? java.util.Map.of() : java.util.Map.copyOf(types);
        if ((!columns.isEmpty() || !types.isEmpty()) && !format.equals("csv")) {
            throw new ConfigException(columns.isEmpty() ? "types" : "columns", format, "only applies to format csv");
        }
        for (String key : columns.keySet()) {
            if (!java.util.Set.of("type", "value", "risk", "expires", "include-subdomains").contains(key)) {
                throw new ConfigException("columns." + key, columns.get(key),
                        "unknown column role (known: type, value, risk, expires, include-subdomains)");
            }
        }
        for (var e : types.entrySet()) {
            if (!java.util.Set.of("url", "domain", "ip", "cidr").contains(e.getValue())) {
                throw new ConfigException("types." + e.getKey(), e.getValue(), "must be url, domain, ip or cidr");
            }
        }
        if (misp != null && !format.equals("misp")) {
            throw new ConfigException("misp", format, "only applies to format misp");
        }
        misp = Check.orDefault(misp, MispConfig.defaults());
        if (format.equals("misp") && type.equals("taxii")) {
            throw new ConfigException("format", format, "a MISP feed is a file or http source");
        }
    }
}
