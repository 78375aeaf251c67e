package dev.loupe.core.intel;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CSV feeds (RFC 4180) with a header row naming the columns; {@code type} and {@code value} are required,
 * {@code risk} (0..100, default 50), {@code expires} (ISO-8601 instant or date, empty for never) and
 * {@code include_subdomains} (true/false/yes/no/1/0) are optional, other columns are ignored. Column names
 * are case-insensitive and may come in any order. Rows already expired are counted under "expired".
 */
public final class CsvIndicatorParser {
    private static final String TYPE = "type";
    private static final String VALUE = "value";
    private static final String RISK = "risk";
    private static final String EXPIRES = "expires";
    private static final String SUBDOMAINS = "include_subdomains";

    private CsvIndicatorParser() {
    }

    public static ParseResult parse(String text, String source, Instant now) {
        return parse(text, source, now, Map.of(), Map.of());
    }

    /**
     * With a mapping for feeds that name things their own way: {@code columns} maps a role (type, value, risk,
     * expires, include-subdomains) to the feed's header name; {@code types} maps the feed's type names to
     * url/domain/ip/cidr (a row of an unmapped type is skipped, counted by its type name).
     */
    public static ParseResult parse(String text, String source, Instant now, Map<String, String> columns,
                                    Map<String, String> types) {
        ParseCollector out = new ParseCollector(source, now);
        Mapping mapping = new Mapping(columns, types);
        Map<String, Integer> header = null;
        int width = 0;
        for (CsvReader.Row row : CsvReader.read(text == null ? "" : text)) {
            if (row.isBlank()) {
                continue;
            }
            if (row.error() != null) {
                out.problem(row.line(), row.error());
            } else if (header == null) {
                header = mapping.roles(header(row.fields()));
                width = row.fields().size();
                if (!header.containsKey(TYPE) || !header.containsKey(VALUE)) {
                    out.problem(row.line(), "the first row must be a header naming the columns "
                            + mapping.name(TYPE) + " and " + mapping.name(VALUE));
                    return out.result();
                }
            } else if (row.fields().size() != width) {
                out.problem(row.line(), "expected " + width + " fields, found " + row.fields().size());
            } else {
                parseRow(row, header, mapping, out);
            }
        }
        return out.result();
    }

    private static Map<String, Integer> header(List<String> fields) {
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            columns.putIfAbsent(fields.get(i).strip().toLowerCase(Locale.ROOT), i);
        }
        return columns;
    }

    private static void parseRow(CsvReader.Row row, Map<String, Integer> columns, Mapping mapping,
                                 ParseCollector out) {
        try {
            String typeText = cell(row, columns, TYPE);
            IndicatorType type = mapping.type(typeText);
            if (type == null) {
                out.skip("type " + typeText);
                return;
            }
            String risk = cell(row, columns, RISK);
            String expires = cell(row, columns, EXPIRES);
            Instant expiresAt = expires.isEmpty() ? null : FeedText.timestamp(expires);
            if (expiresAt != null && !out.now().isBefore(expiresAt)) {
                out.skip("expired");
                return;
            }
            int riskValue = risk.isEmpty() ? ParseCollector.DEFAULT_RISK : risk(risk);
            boolean subdomains = flag(cell(row, columns, SUBDOMAINS));
            out.add(row.line(), type, cell(row, columns, VALUE), subdomains, riskValue, expiresAt);
        } catch (IllegalArgumentException e) {
            out.problem(row.line(), e.getMessage());
        }
    }

    /** The operator's names for the columns and types of a vendor's CSV; empty maps mean Loupe's own names. */
    private record Mapping(Map<String, String> columns, Map<String, String> types) {
        String name(String role) {
            String key = role.equals(SUBDOMAINS) ? "include-subdomains" : role;
            return columns.getOrDefault(key, role).strip().toLowerCase(Locale.ROOT);
        }

        /** Header index by role. */
        Map<String, Integer> roles(Map<String, Integer> byHeaderName) {
            Map<String, Integer> out = new HashMap<>();
            for (String role : List.of(TYPE, VALUE, RISK, EXPIRES, SUBDOMAINS)) {
                Integer i = byHeaderName.get(name(role));
                if (i != null) {
                    out.put(role, i);
                }
            }
            return out;
        }

        /** null: a type the mapping leaves out (skipped, not malformed). */
        IndicatorType type(String text) {
            if (types.isEmpty()) {
                return CsvIndicatorParser.type(text);
            }
            for (var e : types.entrySet()) {
                if (e.getKey().equalsIgnoreCase(text.strip())) {
                    return IndicatorType.valueOf(e.getValue().toUpperCase(Locale.ROOT));
                }
            }
            return null;
        }
    }

    private static String cell(CsvReader.Row row, Map<String, Integer> columns, String column) {
        Integer index = columns.get(column);
        return index == null ? "" : row.fields().get(index).strip();
    }

    private static IndicatorType type(String text) {
        for (IndicatorType type : IndicatorType.values()) {
            if (type.name().equalsIgnoreCase(text)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown type '" + text + "' (expected url, domain, ip or cidr)");
    }

    private static int risk(String text) {
        try {
            int risk = Integer.parseInt(text);
            if (risk >= 0 && risk <= 100) {
                return risk;
            }
        } catch (NumberFormatException e) {
            // reported below with the offending text
        }
        throw new IllegalArgumentException("risk '" + text + "' is not a number in 0..100");
    }

    private static boolean flag(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "", "false", "no", "0" -> false;
            case "true", "yes", "1" -> true;
            default -> throw new IllegalArgumentException("include_subdomains '" + text + "' is not true or false");
        };
    }
}
