package dev.loupe.core.intel;

/** Identity of an indicator across feeds and snapshots: its type and canonical value. */
record IndicatorKey(IndicatorType type, String value) {
    static IndicatorKey of(Indicator indicator) {
        return new IndicatorKey(indicator.type(), indicator.value());
    }
}
