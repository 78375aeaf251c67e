package dev.loupe.core.intel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * MISP feeds (the "MISP core format" a MISP instance publishes as a feed): {@code manifest.json} lists the events
 * with their timestamp, threat level and tags; {@code <uuid>.json} holds one event. Attributes and object
 * attributes of the types {@code url}, {@code domain}, {@code hostname}, {@code ip-dst}, {@code ip-dst|port},
 * {@code domain|ip} become indicators, only when {@code to_ids} is true (MISP's "use for detection"): a
 * {@code to_ids: false} attribute is context, and blocking on it would block what the analyst marked harmless.
 *
 * @see Filter the events an operator wants: a minimum threat level, and tags of which one must be present
 */
public final class MispFeed {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A manifest entry: enough to decide whether to fetch the event again. */
    public record Entry(String uuid, long timestamp, int threatLevel, List<String> tags) {
    }

    /**
     * @param maxThreatLevel MISP's threat_level_id of the least severe events taken: 1 high, 2 medium, 3 low,
     *                       4 undefined (all)
     * @param tags           events must carry one of these tags (case-insensitive); empty: any
     */
    public record Filter(int maxThreatLevel, Set<String> tags) {
        public static final Filter ALL = new Filter(4, Set.of());

        /** Why the event is not taken, or null when it is. */
        public String refuses(int threatLevel, List<String> eventTags) {
            if (threatLevel > maxThreatLevel) {
                return "event threat level " + threatLevel + " below the minimum";
            }
            if (!tags.isEmpty() && eventTags.stream().noneMatch(t -> tags.contains(t.toLowerCase(Locale.ROOT)))) {
                return "event without a wanted tag";
            }
            return null;
        }
    }

    private MispFeed() {
    }

    /** The events of a manifest, in its order; a manifest that is not a JSON object is an IllegalArgumentException. */
    public static List<Entry> manifest(String json) {
        JsonNode root = read(json, "manifest.json");
        List<Entry> entries = new ArrayList<>();
        root.fields().forEachRemaining(e -> entries.add(new Entry(e.getKey(), e.getValue().path("timestamp").asLong(0),
                threatLevel(e.getValue()), tags(e.getValue()))));
        return entries;
    }

    /** The indicators of one event file; {@code position} names it in problems (e.g. its uuid). */
    public static ParseResult event(String json, String source, Instant now, Filter filter) {
        ParseCollector out = new ParseCollector(source, now);
        JsonNode root;
        try {
            root = read(json, "event");
        } catch (IllegalArgumentException e) {
            out.problem(0, e.getMessage());
            return out.result();
        }
        JsonNode event = root.has("Event") ? root.get("Event") : root;
        String uuid = event.path("uuid").asText("?");
        String refused = filter.refuses(threatLevel(event), tags(event));
        if (refused != null) {
            out.skip(refused);
            return out.result();
        }
        int risk = switch (threatLevel(event)) {
            case 1 -> 90;
            case 2 -> 70;
            case 3 -> 50;
            default -> 60;
        };
        int n = 0;
        for (JsonNode attribute : event.path("Attribute")) {
            attribute(attribute, "event " + uuid + " attribute " + (++n), risk, out);
        }
        int o = 0;
        for (JsonNode object : event.path("Object")) {
            o++;
            int a = 0;
            for (JsonNode attribute : object.path("Attribute")) {
                attribute(attribute, "event " + uuid + " object " + o + " attribute " + (++a), risk, out);
            }
        }
        return out.result();
    }

    private static void attribute(JsonNode a, String where, int risk, ParseCollector out) {
        if (!a.isObject()) {
            out.problem(0, where + ": not an object");
            return;
        }
        if (truthy(a.path("deleted"))) {
            out.skip("deleted attribute");
            return;
        }
        String type = a.path("type").asText("");
        String value = a.path("value").asText("").strip();
        if (!truthy(a.path("to_ids"))) {
            out.skip("to_ids false");
            return;
        }
        switch (type) {
            case "url" -> add(out, where, IndicatorType.URL, value, risk);
            case "domain", "hostname" -> add(out, where, IndicatorType.DOMAIN, value, risk);
            case "ip-dst" -> add(out, where, value.contains("/") ? IndicatorType.CIDR : IndicatorType.IP, value, risk);
            case "ip-dst|port" -> add(out, where, IndicatorType.IP, before(value, '|'), risk);
            case "domain|ip" -> {
                add(out, where, IndicatorType.DOMAIN, before(value, '|'), risk);
                int bar = value.indexOf('|');
                if (bar >= 0) {
                    add(out, where, IndicatorType.IP, value.substring(bar + 1), risk);
                }
            }
            default -> out.skip("attribute type " + (type.isEmpty() ? "(none)" : type));
        }
    }

    private static void add(ParseCollector out, String where, IndicatorType type, String value, int risk) {
        if (value.isEmpty()) {
            out.problem(0, where + ": empty value");
            return;
        }
        try {
            out.add(new Indicator(type, value, false, out.source(), risk, out.now(), out.now(), null));
        } catch (IllegalArgumentException e) {
            out.problem(0, where + ": " + e.getMessage());
        }
    }

    private static String before(String value, char c) {
        int at = value.indexOf(c);
        return at >= 0 ? value.substring(0, at) : value;
    }

    /** MISP writes booleans as true/false, and older exports as "1"/"0". */
    private static boolean truthy(JsonNode n) {
        return n.isBoolean() ? n.asBoolean() : n.isTextual() ? Set.of("1", "true").contains(n.asText())
                : n.isNumber() && n.asInt() == 1;
    }

    private static int threatLevel(JsonNode event) {
        int level = event.path("threat_level_id").asInt(4);
        return level >= 1 && level <= 4 ? level : 4;
    }

    private static List<String> tags(JsonNode event) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : event.path("Tag")) {
            String name = t.path("name").asText("");
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    private static JsonNode read(String json, String what) {
        try {
            JsonNode n = JSON.readTree(json == null ? "" : json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(what + " is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getOriginalMessage());
        }
    }
}
