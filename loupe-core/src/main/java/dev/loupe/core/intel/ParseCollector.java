package dev.loupe.core.intel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Accumulates a parser's output so that every parser reports problems and skips the same way. */
final class ParseCollector {
    /** Risk given to entries of feeds that carry none: the same neutral midpoint STIX uses. */
    static final int DEFAULT_RISK = 50;
    /** A feed with more problems than this is garbage; keep the report bounded but still count them all. */
    private static final int MAX_PROBLEMS = 1000;

    private final String source;
    private final Instant now;
    private final List<Indicator> indicators = new ArrayList<>();
    private final List<ParseProblem> problems = new ArrayList<>();
    private final Map<String, Integer> skipped = new TreeMap<>();

    ParseCollector(String source, Instant now) {
        this.source = source == null || source.isBlank() ? "unknown" : source;
        this.now = now;
    }

    String source() {
        return source;
    }

    Instant now() {
        return now;
    }

    void add(Indicator indicator) {
        indicators.add(indicator);
    }

    /** Builds an indicator with this feed's source and time stamps, reporting a problem if it is invalid. */
    void add(int line, IndicatorType type, String value, boolean includeSubdomains, int risk, Instant expiresAt) {
        try {
            add(new Indicator(type, value, includeSubdomains, source, risk, now, now, expiresAt));
        } catch (IllegalArgumentException e) {
            problem(line, e.getMessage());
        }
    }

    void problem(int line, String reason) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new ParseProblem(source, line, reason));
        } else {
            skip("too many problems");
        }
    }

    void skip(String reason) {
        skipped.merge(reason, 1, Integer::sum);
    }

    ParseResult result() {
        return new ParseResult(indicators, problems, skipped);
    }
}
