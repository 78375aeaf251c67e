package dev.loupe.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.IndicatorStore;
import dev.loupe.core.intel.IndicatorType;
import dev.loupe.core.policy.AutoBypass;
import dev.loupe.core.cluster.ClusterEvent;
import dev.loupe.core.cluster.ClusterView;
import dev.loupe.core.cluster.NodeInfo;
import dev.loupe.core.intel.Match;
import dev.loupe.gateway.cluster.ClusterLink;
import dev.loupe.gateway.cluster.NodeHealth;
import java.util.Optional;
import dev.loupe.gateway.intel.IntelService;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin endpoints:
 * <ul>
 *   <li>{@code GET /api/indicators?offset=&limit=} — the current indicators with hit counts;</li>
 *   <li>{@code POST /api/indicators} — push one: {@code {"type":"domain|url|ip|cidr","value":"…",
 *       "include_subdomains":true,"risk":90,"expires_in_seconds":3600,"source":"sandbox-1"}};</li>
 *   <li>{@code DELETE /api/indicators?type=&value=} — remove a pushed one;</li>
 *   <li>{@code GET /api/indicators/match?host=|ip=|url=} — would this be blocked here, and by which indicator;</li>
 *   <li>{@code GET /api/bypasses} — automatic bypasses in force;</li>
 *   <li>{@code GET /api/cluster} — the nodes sharing this node's cluster store, each with its version, config and
 *       CA fingerprints, last heartbeat and what differs from this node;</li>
 *   <li>{@code GET /api/status} — counts for the indicator store and the mirror;</li>
 *   <li>{@code GET /metrics} — Prometheus text format (scrape with the same bearer token);</li>
 *   <li>{@code GET /health} — 200 {@code ok}/{@code degraded} or 503 {@code draining}: the only route without
 *       the token, because keepalived's checkers and L4 balancers cannot send one; it tells nothing else;</li>
 *   <li>{@code POST /api/reload[?dry-run=1]} — re-read the configuration file (as SIGHUP): 200 applied / unchanged
 *       / dry-run with the changed sections, 400 invalid (the field-level error), 409 needs a restart;</li>
 *   <li>{@code POST /api/drain} — leave gracefully (as on SIGTERM): see {@code shutdown} in the configuration.</li>
 * </ul>
 */
public final class AdminRoutes {
    /** The route that answers without the bearer token. */
    public static final String HEALTH = "GET /health";

    private AdminRoutes() {
    }

    public static Map<String, AdminRoute> of(IntelService intel, AutoBypass autoBypass, OperatorView view,
                                             dev.loupe.gateway.metrics.GatewayMetrics metrics, Clock clock,
                                             NodeHealth health, ClusterLink cluster,
                                             java.util.function.Consumer<String> drain,
                                             java.util.function.Function<Boolean, Object> reload,
                                             RecentRecords recent) {
        Map<String, AdminRoute> routes = new LinkedHashMap<>();
        routes.put("GET /api/sessions", r -> AdminRoute.Response.ok(Map.of("records",
                recent.latest(Math.min(1000, Integer.parseInt(r.query().getOrDefault("limit", "100")))))));
        routes.put(HEALTH, r -> {
            NodeHealth.Report report = health.report();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", report.status());
            body.put("problems", report.problems());
            return new AdminRoute.Response(report.healthy() ? 200 : 503, body);
        });
        routes.put("POST /api/reload", r -> {
            Object outcome = reload.apply("1".equals(r.query().get("dry-run")) || "true".equals(r.query().get("dry-run")));
            String result = outcome instanceof dev.loupe.core.config.ConfigReload c ? c.result() : "applied";
            int status = switch (result) {
                case "invalid" -> 400;
                case "refused" -> 409;
                default -> 200;
            };
            return new AdminRoute.Response(status, outcome);
        });
        routes.put("POST /api/drain", r -> {
            drain.accept("admin API");
            return new AdminRoute.Response(202, Map.of("status", "draining"));
        });
        routes.put("GET /metrics", r -> AdminRoute.Response.ok(new AdminRoute.RawBody(
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape())));
        routes.put("GET /api/indicators", r -> AdminRoute.Response.ok(listIndicators(intel.stores(), r.query())));
        routes.put("POST /api/indicators", r -> {
            Indicator indicator = parse(r.body(), clock.instant());
            // shared first: when the cluster cannot take it, no node has it, rather than this one alone
            cluster.share(new ClusterEvent.IndicatorPut(cluster.node(), clock.instant(), indicator));
            intel.push(indicator);
            return new AdminRoute.Response(201, describe(indicator, intel.stores().get(0)));
        });
        routes.put("DELETE /api/indicators", r -> {
            IndicatorType type = type(r.query().get("type"));
            String value = required(r.query().get("value"), "value");
            try {
                Indicator.canonical(type, value);
            } catch (IllegalArgumentException e) {
                return AdminRoute.Response.error(404, "no pushed " + type + " indicator " + value);
            }
            cluster.share(new ClusterEvent.IndicatorRemoved(cluster.node(), clock.instant(), type, value));
            return intel.remove(type, value) ? AdminRoute.Response.ok(Map.of("removed", value))
                    : AdminRoute.Response.error(404, "no pushed " + type + " indicator " + value);
        });
        routes.put("GET /api/indicators/match", r -> {
            var q = r.query();
            Optional<Match> match = q.containsKey("host") ? intel.peek((s, now) -> s.matchHost(q.get("host"), now))
                    : q.containsKey("ip") ? intel.peek((s, now) -> s.matchAddress(address(q.get("ip")), now))
                    : q.containsKey("url") ? matchUrl(intel, q.get("url"))
                    : Optional.empty();
            if (!q.containsKey("host") && !q.containsKey("ip") && !q.containsKey("url")) {
                throw new IllegalArgumentException("give one of host=, ip=, url=");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("matched", match.isPresent());
            match.ifPresent(x -> {
                m.put("on", x.matchedOn());
                m.put("indicator", describe(x.indicator(), intel.stores().get(0)));
            });
            return AdminRoute.Response.ok(m);
        });
        routes.put("GET /api/cluster", r -> {
            Map<String, Object> m = new LinkedHashMap<>(cluster.status());
            m.put("nodes", cluster.members().stream().map(AdminRoutes::member).toList());
            return AdminRoute.Response.ok(m);
        });
        routes.put("DELETE /api/bypasses", r -> {
            String host = required(r.query().get("host"), "host");
            String client = r.query().get("client");
            // every node ends it: shared first, so when the cluster cannot take it no node has ended it alone
            var inForce = autoBypass.active().stream().filter(e -> e.host().equalsIgnoreCase(host)
                    && (client == null || client.isBlank() ? e.client() == null : client.equals(e.client())))
                    .findFirst();
            inForce.ifPresent(e -> cluster.share(new ClusterEvent.BypassRevoked(cluster.node(), clock.instant(),
                    e.host(), e.client())));
            return autoBypass.revoke(host, client) ? AdminRoute.Response.ok(Map.of("revoked", host))
                    : AdminRoute.Response.error(404, "no automatic bypass in force for " + host);
        });
        routes.put("GET /api/bypasses", r -> AdminRoute.Response.ok(Map.of(
                "granted_total", autoBypass.bypassesGranted(),
                "refused", autoBypass.refusals(),
                "active", autoBypass.active().stream().map(AdminRoutes::bypass).toList(),
                "recent_grants", autoBypass.recentGrants().stream().map(AdminRoutes::bypass).toList())));
        routes.put("GET /api/status", r -> {
            Map<String, Object> status = new LinkedHashMap<>();
            NodeHealth.Report report = health.report();
            status.put("status", report.status());
            status.put("problems", report.problems());
            status.put("indicators_pushed", intel.stores().get(0).size());
            status.put("indicators_from_feeds", intel.stores().get(1).size());
            status.put("feed_indicators_by_type", intel.stores().get(1).countsByType());
            status.put("cluster", cluster.status());
            var samples = recent.history().samples();
            status.put("open_connections", samples.isEmpty() ? null : samples.get(samples.size() - 1).open());
            status.put("connections_by_verdict", recent.history().connectionTotals());
            status.put("last_reload", view.lastReload());
            return AdminRoute.Response.ok(status);
        });
        routes.put("GET /api/history", r -> AdminRoute.Response.ok(Map.of(
                "interval_seconds", TrafficHistory.INTERVAL_SECONDS,
                "samples", recent.history().samples())));
        routes.put("GET /api/tools", r -> AdminRoute.Response.ok(Map.of("tools", view.tools())));
        routes.put("GET /api/intel/sources", r -> AdminRoute.Response.ok(Map.of("sources",
                intel.sourceStatus().stream().map(AdminRoutes::source).toList())));
        routes.put("GET /api/policy", r -> {
            Map<String, Object> policy = new LinkedHashMap<>(view.policy());
            policy.put("hits", recent.history().ruleHits());
            return AdminRoute.Response.ok(policy);
        });
        routes.put("GET /api/ca", r -> AdminRoute.Response.ok(view.ca()));
        return routes;
    }

    private static Map<String, Object> source(dev.loupe.gateway.intel.SourceStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("type", s.type());
        m.put("format", s.format());
        m.put("last_load", s.lastLoad() == null ? null : s.lastLoad().toString());
        m.put("last_attempt", s.lastAttempt() == null ? null : s.lastAttempt().toString());
        m.put("indicators", s.indicators());
        m.put("malformed", s.malformed());
        m.put("skipped", new java.util.TreeMap<>(s.skipped()));
        m.put("last_error", s.lastError());
        return m;
    }

    private static Map<String, Object> member(ClusterView.Member member) {
        NodeInfo n = member.info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", n.node());
        m.put("self", member.self());
        m.put("version", n.version());
        m.put("state", n.state());
        m.put("config_fingerprint", n.configFingerprint());
        m.put("ca_fingerprint", n.caFingerprint());
        m.put("started", n.started().toString());
        m.put("last_heartbeat", n.heartbeat().toString());
        m.put("heartbeat_age_ms", member.heartbeatAgeMillis());
        m.put("flags", member.flags());
        return m;
    }

    private static Optional<Match> matchUrl(IntelService intel, String text) {
        java.net.URI uri = java.net.URI.create(text);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute URL: " + text);
        }
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return intel.peek((s, now) -> s.matchUrl(scheme, uri.getHost(), port, path, now));
    }

    private static java.net.InetAddress address(String text) {
        return dev.loupe.core.net.IpLiterals.address(text)
                .orElseThrow(() -> new IllegalArgumentException("not an IP address: " + text));
    }

    private static Map<String, Object> bypass(AutoBypass.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", e.host());
        m.put("client", e.client());
        m.put("reason", e.reason());
        m.put("since", e.since().toString());
        m.put("until", e.until().toString());
        m.put("failures", e.failures());
        return m;
    }

    /** Pushed indicators first, then the feeds', as one paged list. */
    private static Map<String, Object> listIndicators(List<IndicatorStore> stores, Map<String, String> query) {
        int offset = Integer.parseInt(query.getOrDefault("offset", "0"));
        int limit = Math.min(10_000, Integer.parseInt(query.getOrDefault("limit", "1000")));
        List<Map<String, Object>> items = new java.util.ArrayList<>();
        int skip = offset;
        int total = 0;
        for (IndicatorStore store : stores) {
            total += store.size();
            int from = Math.min(skip, store.size());
            skip -= from;
            int want = limit - items.size();
            if (want > 0) {
                store.list(from, want).forEach(i -> items.add(describe(i, store)));
            }
        }
        return Map.of("total", total, "offset", offset, "indicators", items);
    }

    private static Map<String, Object> describe(Indicator i, IndicatorStore store) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", i.type().name().toLowerCase(Locale.ROOT));
        m.put("value", i.value());
        m.put("include_subdomains", i.includeSubdomains());
        m.put("source", i.source());
        m.put("risk", i.risk());
        m.put("first_seen", String.valueOf(i.firstSeen()));
        m.put("last_seen", String.valueOf(i.lastSeen()));
        m.put("expires_at", i.expiresAt() == null ? null : i.expiresAt().toString());
        m.put("hits", store.hits(i));
        return m;
    }

    static Indicator parse(JsonNode body, Instant now) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with type and value");
        }
        IndicatorType type = type(body.path("type").asText(null));
        String value = required(body.path("value").asText(null), "value");
        int risk = body.path("risk").asInt(80);
        if (risk < 0 || risk > 100) {
            throw new IllegalArgumentException("risk must be 0..100, got " + risk);
        }
        Instant expires = body.hasNonNull("expires_in_seconds")
                ? now.plusSeconds(body.path("expires_in_seconds").asLong())
                : body.hasNonNull("expires_at") ? Instant.parse(body.path("expires_at").asText()) : null;
        String source = body.path("source").asText(IntelService.API_SOURCE);
        return new Indicator(type, value, body.path("include_subdomains").asBoolean(type == IndicatorType.DOMAIN),
                source, risk, now, now, expires);
    }

    private static IndicatorType type(String text) {
        String t = required(text, "type");
        try {
            return IndicatorType.valueOf(t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("type must be one of url, domain, ip, cidr; got '" + t + "'");
        }
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing '" + name + "'");
        }
        return value;
    }
}
