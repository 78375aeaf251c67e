package dev.loupe.core.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.IndicatorType;
import dev.loupe.core.policy.AutoBypass;
import java.time.Instant;
import java.util.Locale;

/**
 * The JSON the nodes of a cluster exchange. Each value stands alone (no schema registry); a value this node
 * cannot read is refused with an IllegalArgumentException naming what is wrong, and the caller logs and
 * skips it: one bad entry written by a newer node must never stop the others from syncing.
 */
public final class ClusterCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterCodec() {
    }

    /** The hash field an indicator is stored under: its type and canonical value. */
    public static String indicatorField(IndicatorType type, String value) {
        return type.name().toLowerCase(Locale.ROOT) + ":" + Indicator.canonical(type, value);
    }

    /** The hash field a bypass is stored under: host, and the client or {@code *} in global scope. */
    public static String bypassField(AutoBypass.Entry bypass) {
        return bypassField(bypass.host(), bypass.client());
    }

    public static String bypassField(String host, String client) {
        return host + "|" + (client == null ? "*" : client);
    }

    public static String indicator(Indicator i) {
        return write(indicatorNode(i));
    }

    public static Indicator readIndicator(String json) {
        return indicatorFrom(read(json));
    }

    public static String bypass(AutoBypass.Entry e) {
        return write(bypassNode(e));
    }

    public static AutoBypass.Entry readBypass(String json) {
        return bypassFrom(read(json));
    }

    public static String event(ClusterEvent event) {
        ObjectNode n = JSON.createObjectNode();
        n.put("node", event.node());
        n.put("at", event.at().toString());
        switch (event) {
            case ClusterEvent.IndicatorPut p -> n.put("op", "indicator.put").set("indicator", indicatorNode(p.indicator()));
            case ClusterEvent.IndicatorRemoved r -> n.put("op", "indicator.remove")
                    .put("type", r.type().name().toLowerCase(Locale.ROOT)).put("value", r.value());
            case ClusterEvent.BypassGranted b -> n.put("op", "bypass.put").set("bypass", bypassNode(b.bypass()));
            case ClusterEvent.BypassRevoked r -> n.put("op", "bypass.remove").put("host", r.host())
                    .put("client", r.client());
        }
        return write(n);
    }

    public static ClusterEvent readEvent(String json) {
        JsonNode n = read(json);
        String node = text(n, "node");
        Instant at = instant(n, "at");
        String op = text(n, "op");
        return switch (op) {
            case "indicator.put" -> new ClusterEvent.IndicatorPut(node, at, indicatorFrom(n.path("indicator")));
            case "indicator.remove" -> new ClusterEvent.IndicatorRemoved(node, at, type(text(n, "type")),
                    text(n, "value"));
            case "bypass.put" -> new ClusterEvent.BypassGranted(node, at, bypassFrom(n.path("bypass")));
            case "bypass.remove" -> new ClusterEvent.BypassRevoked(node, at, text(n, "host"),
                    n.hasNonNull("client") ? n.get("client").asText() : null);
            default -> throw new IllegalArgumentException("unknown op '" + op + "'");
        };
    }

    public static String node(NodeInfo i) {
        ObjectNode n = JSON.createObjectNode()
                .put("node", i.node()).put("version", i.version()).put("config", i.configFingerprint())
                .put("ca", i.caFingerprint()).put("state", i.state()).put("started", i.started().toString())
                .put("heartbeat", i.heartbeat().toString());
        return write(n);
    }

    public static NodeInfo readNode(String json) {
        JsonNode n = read(json);
        return new NodeInfo(text(n, "node"), n.path("version").asText("unknown"), n.path("config").asText(""),
                text(n, "ca"), n.path("state").asText("serving"), instant(n, "started"), instant(n, "heartbeat"));
    }

    private static ObjectNode indicatorNode(Indicator i) {
        ObjectNode n = JSON.createObjectNode()
                .put("type", i.type().name().toLowerCase(Locale.ROOT))
                .put("value", i.value())
                .put("include_subdomains", i.includeSubdomains())
                .put("source", i.source())
                .put("risk", i.risk())
                .put("first_seen", i.firstSeen().toString())
                .put("last_seen", i.lastSeen().toString());
        if (i.expiresAt() != null) {
            n.put("expires_at", i.expiresAt().toString());
        }
        return n;
    }

    private static Indicator indicatorFrom(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected an indicator object");
        }
        int risk = n.path("risk").asInt(-1);
        return new Indicator(type(text(n, "type")), text(n, "value"), n.path("include_subdomains").asBoolean(false),
                n.path("source").asText(null), risk, instant(n, "first_seen"), instant(n, "last_seen"),
                n.hasNonNull("expires_at") ? instant(n, "expires_at") : null);
    }

    private static ObjectNode bypassNode(AutoBypass.Entry e) {
        ObjectNode n = JSON.createObjectNode().put("host", e.host());
        if (e.client() != null) {
            n.put("client", e.client());
        }
        return n.put("reason", e.reason()).put("since", e.since().toString()).put("until", e.until().toString())
                .put("failures", e.failures());
    }

    private static AutoBypass.Entry bypassFrom(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected a bypass object");
        }
        return new AutoBypass.Entry(text(n, "host"), n.hasNonNull("client") ? n.get("client").asText() : null,
                n.path("reason").asText(""), instant(n, "since"), instant(n, "until"), n.path("failures").asInt(0));
    }

    private static IndicatorType type(String text) {
        try {
            return IndicatorType.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown indicator type '" + text + "'");
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException("missing '" + field + "'");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        try {
            return Instant.parse(t);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'" + field + "' is not an ISO-8601 instant: " + t);
        }
    }

    private static JsonNode read(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
