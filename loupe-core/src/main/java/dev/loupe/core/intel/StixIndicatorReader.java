package dev.loupe.core.intel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Turns one STIX object into an indicator, a skip with a reason, or a problem. */
final class StixIndicatorReader {
    private StixIndicatorReader() {
    }

    static void read(JsonNode object, int line, ParseCollector out) {
        if (object == null || !object.isObject()) {
            out.problem(line, "not a JSON object");
            return;
        }
        if (!"indicator".equals(object.path("type").asText())) {
            out.skip("not an indicator");
            return;
        }
        String id = object.path("id").asText("indicator");
        try {
            readIndicator(object, line, id, out);
        } catch (IllegalArgumentException e) {
            out.problem(line, id + ": " + e.getMessage());
        }
    }

    private static void readIndicator(JsonNode object, int line, String id, ParseCollector out) {
        Instant validUntil = timestamp(object, "valid_until");
        Instant validFrom = timestamp(object, "valid_from");
        String skip = object.path("revoked").asBoolean(false) ? "revoked"
                : validUntil != null && !out.now().isBefore(validUntil) ? "expired"
                : validFrom != null && out.now().isBefore(validFrom) ? "not yet valid"
                // STIX 2.0 indicators have no pattern_type; their patterns are STIX patterns
                : !object.path("pattern_type").asText("stix").equals("stix") ? "pattern type"
                : null;
        if (skip != null) {
            out.skip(skip);
            return;
        }
        if (!object.path("pattern").isTextual()) {
            out.problem(line, id + ": no pattern");
            return;
        }
        switch (StixPattern.parse(object.path("pattern").asText())) {
            case StixPattern.Skip s -> out.skip(s.reason());
            case StixPattern.Malformed m -> out.problem(line, id + ": " + m.reason());
            case StixPattern.Comparison c -> add(object, c, validFrom, validUntil, out);
        }
    }

    private static void add(JsonNode object, StixPattern.Comparison comparison, Instant validFrom,
                            Instant validUntil, ParseCollector out) {
        IndicatorType type = type(comparison);
        if (type == null) {
            out.skip("unsupported observable");
            return;
        }
        Instant modified = timestamp(object, "modified");
        Instant firstSeen = validFrom != null ? validFrom : out.now();
        Instant lastSeen = modified != null ? modified : out.now();
        out.add(new Indicator(type, comparison.value(), false, out.source(), risk(object),
                firstSeen, lastSeen, validUntil));
    }

    private static IndicatorType type(StixPattern.Comparison comparison) {
        String value = comparison.value();
        return switch (comparison.objectPath()) {
            case "url:value" -> IndicatorType.URL;
            case "domain-name:value" -> IndicatorType.DOMAIN;
            case "ipv4-addr:value", "ipv6-addr:value" -> {
                if (comparison.objectPath().startsWith("ipv4") == value.contains(":")) {
                    throw new IllegalArgumentException("'" + value + "' does not match " + comparison.objectPath());
                }
                yield value.contains("/") ? IndicatorType.CIDR : IndicatorType.IP;
            }
            default -> null;
        };
    }

    /** STIX confidence is 0..100 like risk; absent or out-of-range confidence gives the neutral 50. */
    private static int risk(JsonNode object) {
        JsonNode confidence = object.path("confidence");
        int value = confidence.isIntegralNumber() ? confidence.asInt() : -1;
        return value >= 0 && value <= 100 ? value : ParseCollector.DEFAULT_RISK;
    }

    private static Instant timestamp(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " is not a timestamp");
        }
        return FeedText.timestamp(node.asText());
    }
}
