package dev.loupe.core.intel;

/**
 * One entry of a feed that could not be used; the rest of the feed still loads.
 *
 * @param line 1-based line of the entry in the feed text (for STIX objects handed over as a list, the
 *             1-based position in that list; 0 when the problem concerns the whole document)
 */
public record ParseProblem(String source, int line, String reason) {
}
