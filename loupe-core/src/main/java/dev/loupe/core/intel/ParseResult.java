package dev.loupe.core.intel;

import java.util.List;
import java.util.Map;

/**
 * What a parser made of a feed.
 *
 * @param indicators the usable indicators, in feed order
 * @param problems   malformed entries, with their line numbers
 * @param skipped    well-formed entries deliberately not turned into indicators, counted by reason
 *                   (for example {@code "revoked"} or {@code "expired"})
 */
public record ParseResult(List<Indicator> indicators, List<ParseProblem> problems, Map<String, Integer> skipped) {
    public ParseResult {
        indicators = List.copyOf(indicators);
        problems = List.copyOf(problems);
        skipped = Map.copyOf(skipped);
    }
}
