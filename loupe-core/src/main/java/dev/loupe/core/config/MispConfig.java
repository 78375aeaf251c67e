package dev.loupe.core.config;

import java.util.List;
import java.util.Locale;

/**
 * Which events of a MISP feed to take.
 *
 * @param minThreatLevel high, medium, low or undefined (everything, the default): MISP's threat_level_id 1 to 4
 * @param tags           an event must carry one of these tags (e.g. {@code tlp:white}); absent: any event
 */
public record MispConfig(String minThreatLevel, List<String> tags) {
    private static final List<String> LEVELS = List.of("high", "medium", "low", "undefined");

    public MispConfig {
        minThreatLevel = Check.orDefault(minThreatLevel, "undefined").toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(minThreatLevel)) {
            throw new ConfigException("min-threat-level", minThreatLevel, "must be high, medium, low or undefined");
        }
        tags = tags == null ? List.of() : tags.stream().map(t -> t.strip().toLowerCase(Locale.ROOT)).toList();
    }

    public static MispConfig defaults() {
        return new MispConfig(null, null);
    }

    /** The highest threat_level_id taken (1 high ... 4 undefined). */
    public int maxThreatLevelId() {
        return LEVELS.indexOf(minThreatLevel) + 1;
    }
}
