package dev.loupe.core.intel;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The pure part of polling a TAXII 2.1 collection: the request path and the response envelope. The
 * gateway does the HTTP; it pages while {@code more} is true, passing {@code next} back, and remembers
 * the newest {@code X-TAXII-Date-Added-Last} header as the next poll's {@code added_after}.
 */
public final class TaxiiEnvelope {
    /** Accept / Content-Type of TAXII 2.1 requests and responses. */
    public static final String MEDIA_TYPE = "application/taxii+json;version=2.1";

    private TaxiiEnvelope() {
    }

    /** Parses an envelope; throws IllegalArgumentException if it is not a JSON object. */
    public static TaxiiPage parse(String json) {
        JsonNode root;
        try {
            root = StixBundleParser.MAPPER.readTree(json == null ? "" : json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("TAXII envelope is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("TAXII envelope is not a JSON object");
        }
        List<JsonNode> objects = new ArrayList<>();
        root.path("objects").forEach(objects::add);
        JsonNode next = root.path("next");
        boolean hasNext = next.isValueNode() && !next.isNull() && !next.asText().isEmpty();
        return new TaxiiPage(objects, root.path("more").asBoolean(false), hasNext ? next.asText() : null);
    }

    /**
     * {@code <collection>/objects/} with the optional {@code added_after} and {@code next} query
     * parameters, each percent-encoded (RFC 3986 unreserved characters only are left as they are).
     */
    public static String objectsPath(String collectionUrl, String addedAfter, String next) {
        StringBuilder path = new StringBuilder(collectionUrl);
        if (path.isEmpty() || path.charAt(path.length() - 1) != '/') {
            path.append('/');
        }
        path.append("objects/");
        char separator = '?';
        if (addedAfter != null && !addedAfter.isEmpty()) {
            path.append(separator).append("added_after=").append(PercentEncoding.encode(addedAfter));
            separator = '&';
        }
        if (next != null && !next.isEmpty()) {
            path.append(separator).append("next=").append(PercentEncoding.encode(next));
        }
        return path.toString();
    }
}
