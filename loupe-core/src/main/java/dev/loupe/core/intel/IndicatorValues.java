package dev.loupe.core.intel;

import dev.loupe.core.net.Cidr;
import dev.loupe.core.net.IpLiterals;

/** Canonical text of an indicator value, per type; the key under which indicators are merged and removed. */
final class IndicatorValues {
    /** No real indicator is longer; a hostile feed's megabyte "URL" must not reach the index or the log. */
    static final int MAX_LENGTH = 8192;

    private IndicatorValues() {
    }

    /** Throws IllegalArgumentException (with a message fit for a parse problem) if the value is unusable. */
    static String normalise(IndicatorType type, String value) {
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("value of " + value.length() + " characters, longer than " + MAX_LENGTH);
        }
        String text = value.strip();
        return switch (type) {
            case DOMAIN -> DomainNames.normalise(text);
            case URL -> UrlNormalizer.normaliseIndicator(text);
            case IP -> {
                if (text.indexOf('/') >= 0) {
                    throw new IllegalArgumentException("'" + value + "' is a network: use type CIDR");
                }
                yield IpLiterals.canonical(text)
                        .orElseThrow(() -> new IllegalArgumentException("'" + value + "' is not an IP address"));
            }
            case CIDR -> Cidr.parse(text).toString();
        };
    }

    /** The key of a domain value that may carry a wildcard ("*.bad.example" and "bad.example" are one key). */
    static String key(IndicatorType type, String value) {
        String text = value.strip();
        if (type == IndicatorType.DOMAIN && (text.startsWith("*.") || text.startsWith("."))) {
            text = text.substring(text.indexOf('.') + 1);
        }
        return normalise(type, text);
    }
}
