package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import dev.loupe.core.config.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of {@link AutoBypass} (YAML keys {@code enabled}, {@code failures}, {@code window},
 * {@code duration}, {@code scope}); every field is optional.
 *
 * @param failures certificate rejections by clients, within {@code window}, that make a host bypassed (default 3)
 * @param window how long a rejection is remembered (default 5m)
 * @param duration how long a bypass lasts before the host is decrypted again (default 1h)
 * @param scope {@code global}: one client's rejections bypass the host for every client (apps are
 *     usually pinned everywhere, but any client can switch decryption off for a host);
 *     {@code per-client}: only that client is bypassed (default global)
 */
public record AutoBypassSettings(Boolean enabled, Integer failures, Duration window, Duration duration, String scope) {
    public static final String GLOBAL = "global";
    public static final String PER_CLIENT = "per-client";
    private static final int MAX_FAILURES = 100;
    private static final Duration MAX_WINDOW = Duration.ofDays(1);
    private static final Duration MAX_DURATION = Duration.ofDays(30);

    public AutoBypassSettings {
        enabled = Objects.requireNonNullElse(enabled, true);
        failures = Objects.requireNonNullElse(failures, 3);
        if (failures < 1 || failures > MAX_FAILURES) {
            throw new ConfigException("failures", failures, "must be between 1 and " + MAX_FAILURES);
        }
        window = checkDuration("window", Objects.requireNonNullElse(window, Duration.ofMinutes(5)), MAX_WINDOW);
        duration = checkDuration("duration", Objects.requireNonNullElse(duration, Duration.ofHours(1)), MAX_DURATION);
        scope = Objects.requireNonNullElse(scope, GLOBAL);
        if (!scope.equals(GLOBAL) && !scope.equals(PER_CLIENT)) {
            throw new ConfigException("scope", scope, "must be one of " + GLOBAL + ", " + PER_CLIENT);
        }
    }

    public static AutoBypassSettings defaults() {
        return new AutoBypassSettings(null, null, null, null, null);
    }

    public boolean perClient() {
        return scope.equals(PER_CLIENT);
    }

    private static Duration checkDuration(String field, Duration value, Duration max) {
        if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
            throw new ConfigException(field, Durations.format(value),
                    "must be a positive duration of at most " + max.toDays() + "d");
        }
        return value;
    }
}
