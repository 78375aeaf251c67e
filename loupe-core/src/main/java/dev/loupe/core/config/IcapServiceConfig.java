package dev.loupe.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One ICAP service: a function (e.g. antivirus in RESPMOD) offered by one or more interchangeable servers.
 *
 * @param name           shown in logs, metrics and the fail-closed page
 * @param mode           {@code reqmod} or {@code respmod}
 * @param servers        {@code icap://host[:port]/service} URIs (port 1344), or {@code icaps://} for ICAP over TLS
 *                       (port 11344; the server's certificate is validated against {@code tls.ca-bundle}, and its
 *                       name against the URI's host), all offering the same service
 * @param balance        {@code round-robin} or {@code least-connections}
 * @param failureMode    {@code fail-open} (the message passes unscanned, logged and counted) or
 *                       {@code fail-closed} (the client gets a 503 page naming the service)
 * @param hosts          which origin hosts the service sees: exact names or {@code .suffix}; empty for all
 * @param methods        which request methods; empty for all
 * @param contentTypes   which content types (of the response for RESPMOD, of the request body for REQMOD):
 *                       {@code type/subtype} or {@code type/*}; empty for all
 * @param maxBodyBytes   bodies larger than this are not sent; {@code overMax} decides what happens instead
 * @param overMax        {@code skip} (pass unscanned, logged) or {@code block} (refuse with 403)
 * @param preview        preview size to use instead of the server's OPTIONS value; 0 or more, or null
 * @param connectTimeout to reach a server
 * @param timeout        for one transaction, from sending to the end of the answer
 * @param maxConnections per server; a lower {@code Max-Connections} from OPTIONS wins
 * @param markDownAfter  consecutive failures that take a server out of rotation
 * @param reviveAfter    how long a server stays out before it is probed again with OPTIONS
 * @param retries        how many other servers a failed transaction may be retried on
 * @param nonHttp        what happens to a decrypted or tunnelled stream in the service's host scope that is not
 *                       HTTP (ICAP cannot scan it): {@code block} (refused, logged) or {@code relay}; default
 *                       {@code block} for a fail-closed service, since nothing in its scope may pass unscanned
 * @param tls            for {@code icaps://}: the CA bundle that signed the servers' certificates (default: the system
 *                       roots) and an optional client certificate and key
 * @param requestHeaders extra ICAP headers sent with every request to this service (e.g. {@code X-ICAP-Profile},
 *                       {@code X-TE: trailers}), for servers that ask for them
 */
public record IcapServiceConfig(
        String name,
        String mode,
        List<URI> servers,
        String balance,
        String failureMode,
        List<String> hosts,
        List<String> methods,
        List<String> contentTypes,
        Long maxBodyBytes,
        String overMax,
        Integer preview,
        Duration connectTimeout,
        Duration timeout,
        Integer maxConnections,
        Integer markDownAfter,
        Duration reviveAfter,
        Integer retries,
        String nonHttp,
        IcapTlsConfig tls,
        java.util.Map<String, String> requestHeaders) {

    public static final String REQMOD = "reqmod";
    public static final String RESPMOD = "respmod";
    public static final String FAIL_OPEN = "fail-open";
    public static final String FAIL_CLOSED = "fail-closed";

    public IcapServiceConfig {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException("name", String.valueOf(name), "a service needs a name of letters, digits, '.', '_' or '-'");
        }
        mode = oneOf("mode", mode, null, REQMOD, RESPMOD);
        servers = List.copyOf(Check.orDefault(servers, List.of()));
        if (servers.isEmpty()) {
            throw new ConfigException("servers", "[]", "a service needs at least one icap://host:port/service URI");
        }
        for (URI server : servers) {
            boolean icap = "icap".equalsIgnoreCase(server.getScheme()) || "icaps".equalsIgnoreCase(server.getScheme());
            if (!icap || server.getHost() == null || server.getRawPath() == null || server.getRawPath().length() < 2) {
                throw new ConfigException("servers", server, "must be an icap://host[:port]/service or icaps:// URI");
            }
        }
        tls = Check.orDefault(tls, IcapTlsConfig.defaults());
        requestHeaders = requestHeaders == null ? java.util.Map.of() : java.util.Map.copyOf(requestHeaders);
        for (var h : requestHeaders.entrySet()) {
            if (!h.getKey().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")
                    || java.util.Set.of("host", "allow", "preview", "encapsulated").contains(h.getKey().toLowerCase(Locale.ROOT))) {
                throw new ConfigException("request-headers." + h.getKey(), h.getValue(),
                        "must be a header name Loupe does not write itself (not Host, Allow, Preview, Encapsulated)");
            }
            if (h.getValue() == null || h.getValue().contains("\r") || h.getValue().contains("\n")) {
                throw new ConfigException("request-headers." + h.getKey(), h.getValue(), "must be one line of text");
            }
        }
        balance = oneOf("balance", balance, "round-robin", "round-robin", "least-connections");
        failureMode = oneOf("failure-mode", failureMode, FAIL_CLOSED, FAIL_OPEN, FAIL_CLOSED);
        hosts = lower(hosts);
        methods = Check.orDefault(methods, List.<String>of()).stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
        contentTypes = lower(contentTypes);
        for (String type : contentTypes) {
            if (!type.equals("*/*") && !type.matches("[a-z0-9!#$&^_.+-]+/([a-z0-9!#$&^_.+-]+|\\*)")) {
                throw new ConfigException("content-types", type, "must be type/subtype, type/* or */*");
            }
        }
        maxBodyBytes = Check.orDefault(maxBodyBytes, 100L * 1024 * 1024);
        if (maxBodyBytes < 0) {
            throw new ConfigException("max-body-bytes", maxBodyBytes, "must not be negative");
        }
        overMax = oneOf("over-max", overMax, "skip", "skip", "block");
        if (preview != null) {
            Check.range("preview", preview, 0, 1024 * 1024);
        }
        connectTimeout = Check.positive("connect-timeout", Check.orDefault(connectTimeout, Duration.ofSeconds(2)));
        timeout = Check.positive("timeout", Check.orDefault(timeout, Duration.ofSeconds(60)));
        maxConnections = Check.range("max-connections", Check.orDefault(maxConnections, 32), 1, 10_000);
        markDownAfter = Check.range("mark-down-after", Check.orDefault(markDownAfter, 3), 1, 1000);
        reviveAfter = Check.positive("revive-after", Check.orDefault(reviveAfter, Duration.ofSeconds(10)));
        retries = Check.range("retries", Check.orDefault(retries, 1), 0, 10);
        nonHttp = oneOf("non-http", nonHttp, failureMode.equals(FAIL_CLOSED) ? "block" : "relay", "block", "relay");
    }

    public boolean reqmod() {
        return mode.equals(REQMOD);
    }

    public boolean failOpen() {
        return failureMode.equals(FAIL_OPEN);
    }

    public boolean blocksNonHttp() {
        return nonHttp.equals("block");
    }

    public boolean blockOverMax() {
        return overMax.equals("block");
    }

    private static String oneOf(String field, String value, String fallback, String... allowed) {
        String v = value == null ? fallback : value.toLowerCase(Locale.ROOT);
        if (v != null) {
            for (String a : allowed) {
                if (a.equals(v)) {
                    return v;
                }
            }
        }
        throw new ConfigException(field, String.valueOf(value), "must be one of " + String.join(", ", allowed));
    }

    private static List<String> lower(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : Check.orDefault(values, List.<String>of())) {
            out.add(v.strip().toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }
}
