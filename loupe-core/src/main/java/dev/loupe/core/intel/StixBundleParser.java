package dev.loupe.core.intel;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * STIX 2.1 bundles. Only {@code indicator} objects whose STIX pattern is a single equality comparison on
 * {@code url:value}, {@code domain-name:value}, {@code ipv4-addr:value} or {@code ipv6-addr:value} (an
 * address value may be a CIDR) become indicators; everything else is counted in skipped by reason:
 * "not an indicator", "revoked", "expired" (valid_until passed), "not yet valid" (valid_from ahead),
 * "pattern type" (not "stix"), "compound pattern", "unsupported pattern", "unsupported observable".
 * Risk is the object's confidence (0..100), else 50; valid_until becomes the expiry.
 */
public final class StixBundleParser {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private StixBundleParser() {
    }

    /** A bundle as text; problems carry the line on which the offending object starts. */
    public static ParseResult parse(String text, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        try (JsonParser parser = MAPPER.createParser(text == null ? "" : text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                out.problem(1, "not a STIX bundle: expected a JSON object");
                return out.result();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("objects") && value == JsonToken.START_ARRAY) {
                    readObjects(parser, out);
                } else if (field.equals("type") && !"bundle".equals(parser.getValueAsString())) {
                    out.problem(parser.currentTokenLocation().getLineNr(), "not a STIX bundle: type is not 'bundle'");
                    return out.result();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            out.problem(Math.max(line, 0), "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            out.problem(0, "unreadable bundle: " + e.getMessage());
        }
        return out.result();
    }

    /** Objects from a TAXII envelope; a problem's line is the 1-based position of the object in the list. */
    public static ParseResult parseObjects(List<JsonNode> objects, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        for (int i = 0; i < objects.size(); i++) {
            StixIndicatorReader.read(objects.get(i), i + 1, out);
        }
        return out.result();
    }

    private static void readObjects(JsonParser parser, ParseCollector out) throws IOException {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() == null) {
                throw new IOException("bundle ends inside the objects array");
            }
            int line = parser.currentTokenLocation().getLineNr();
            JsonNode node = parser.readValueAsTree();
            StixIndicatorReader.read(node, line, out);
        }
    }
}
