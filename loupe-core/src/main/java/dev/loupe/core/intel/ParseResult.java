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

    /** Several results as one (a feed made of many files, e.g. MISP events), in order. */
    public static ParseResult merge(java.util.Collection<ParseResult> parts) {
        java.util.List<Indicator> indicators = new java.util.ArrayList<>();
        java.util.List<ParseProblem> problems = new java.util.ArrayList<>();
        Map<String, Integer> skipped = new java.util.TreeMap<>();
        for (ParseResult r : parts) {
            indicators.addAll(r.indicators());
            problems.addAll(r.problems());
            r.skipped().forEach((k, v) -> skipped.merge(k, v, Integer::sum));
        }
        return new ParseResult(indicators, problems, skipped);
    }
}
