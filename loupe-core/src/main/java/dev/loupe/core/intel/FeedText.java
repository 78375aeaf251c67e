package dev.loupe.core.intel;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Small text helpers shared by the line-oriented feed parsers. */
final class FeedText {
    private FeedText() {
    }

    /** The lines of a feed (any of \n, \r\n, \r), without a leading byte-order mark; null is empty. */
    static List<String> lines(String text) {
        if (text == null) {
            return List.of();
        }
        return (text.startsWith("\uFEFF") ? text.substring(1) : text).lines().toList();
    }

    /** Text before {@code marker}, stripped; the whole line if the marker does not occur. */
    static String beforeComment(String line, char marker) {
        int at = line.indexOf(marker);
        return (at < 0 ? line : line.substring(0, at)).strip();
    }

    /** Non-empty, at most {@code maxLength} ASCII digits (Character.isDigit would accept other scripts). */
    static boolean isDigits(String text, int maxLength) {
        if (text.isEmpty() || text.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    static int count(String text, char c) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            count += text.charAt(i) == c ? 1 : 0;
        }
        return count;
    }

    static boolean containsWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3339 / ISO-8601 instant, with Z or an offset, a plain date (midnight UTC) or "date time" in UTC. */
    static Instant timestamp(String text) {
        String value = text.strip();
        try {
            return Instant.parse(value);
        } catch (DateTimeException notInstant) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeException notOffset) {
                try {
                    return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeException notDate) {
                    try {
                        // "2025-12-03 10:25:05": abuse.ch dumps, in UTC as their headers say
                        return java.time.LocalDateTime.parse(value.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
                    } catch (DateTimeException notLocal) {
                        throw new IllegalArgumentException("'" + value + "' is not a timestamp");
                    }
                }
            }
        }
    }
}
