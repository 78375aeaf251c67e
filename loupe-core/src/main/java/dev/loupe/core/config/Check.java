package dev.loupe.core.config;

import java.time.Duration;

/** Argument checks for config record constructors; each failure names the field and the value. */
final class Check {
    private Check() {
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(field, value, "must be between " + min + " and " + max);
        }
        return value;
    }

    static Duration positive(String field, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(field, Durations.format(value), "must be a positive duration");
        }
        return value;
    }

    static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
