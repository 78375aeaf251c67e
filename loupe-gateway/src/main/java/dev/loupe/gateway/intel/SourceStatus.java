package dev.loupe.gateway.intel;

import java.time.Instant;
import java.util.Map;

/**
 * What an intel source's latest refresh did, for the dashboard and {@code GET /api/intel/sources}.
 *
 * @param lastLoad    when indicators were last published, null before the first load
 * @param lastAttempt when a refresh last ran (successful or not)
 * @param indicators  how many the last load published
 * @param malformed   entries refused as malformed in the last load
 * @param skipped     well-formed entries not taken, by reason (e.g. {@code to_ids false})
 * @param lastError   why the last refresh failed (the previous indicators stay), null when it did not
 */
public record SourceStatus(String name, String type, String format, Instant lastLoad, Instant lastAttempt,
                           int indicators, int malformed, Map<String, Integer> skipped, String lastError) {
    static SourceStatus never(String name, String type, String format) {
        return new SourceStatus(name, type, format, null, null, 0, 0, Map.of(), null);
    }
}
