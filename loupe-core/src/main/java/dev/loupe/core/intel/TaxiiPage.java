package dev.loupe.core.intel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One page of a TAXII 2.1 "get objects" response.
 *
 * @param objects the STIX objects, for {@link StixBundleParser#parseObjects}
 * @param more    whether the server has more objects
 * @param next    the value for the next request's {@code next} parameter; null if the server sent none
 */
public record TaxiiPage(List<JsonNode> objects, boolean more, String next) {
    public TaxiiPage {
        objects = List.copyOf(objects);
    }
}
