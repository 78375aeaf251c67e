package dev.loupe.core.intel;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CSV dumps of abuse.ch: URLhaus ({@code # id,dateadded,url,url_status,...}) and ThreatFox
 * ({@code # "first_seen_utc","ioc_id","ioc_value","ioc_type",...}, quoted fields separated by {@code ", "}).
 * Columns are found by the header, the last comment line before the data, never by position: ThreatFox added
 * {@code is_compromised} in the middle once, and a parser by position would have read the wrong column.
 */
public final class AbuseChParser {
    private AbuseChParser() {
    }

    /** Every URL is blocked, online or not (an offline URL comes back); the dump's threat is no input. */
    public static ParseResult urlhaus(String text, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        Table table = Table.read(text, false, List.of("url"), out);
        if (table == null) {
            return out.result();
        }
        for (CsvReader.Row row : table.rows()) {
            String url = table.cell(row, "url");
            if (url.isEmpty()) {
                out.problem(row.line(), "empty url");
            } else {
                out.add(row.line(), IndicatorType.URL, url, false, 90, null);
            }
        }
        return out.result();
    }

    /** {@code ioc_type} url, domain and ip:port; hashes and other types are counted as skipped. */
    public static ParseResult threatFox(String text, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        Table table = Table.read(text, true, List.of("ioc_value", "ioc_type"), out);
        if (table == null) {
            return out.result();
        }
        for (CsvReader.Row row : table.rows()) {
            String value = table.cell(row, "ioc_value");
            String type = table.cell(row, "ioc_type").toLowerCase(Locale.ROOT);
            int risk = confidence(table.cell(row, "confidence_level"));
            switch (type) {
                case "url" -> out.add(row.line(), IndicatorType.URL, value, false, risk, null);
                case "domain" -> out.add(row.line(), IndicatorType.DOMAIN, value, false, risk, null);
                case "ip:port" -> {
                    int colon = value.lastIndexOf(':');
                    String host = colon > 0 ? value.substring(0, colon) : value;
                    if (host.startsWith("[") && host.endsWith("]")) {
                        host = host.substring(1, host.length() - 1);
                    }
                    // the port is not kept: an address that serves a C2 on one port is not trusted on others
                    out.add(row.line(), IndicatorType.IP, host, false, risk, null);
                }
                default -> out.skip(type.endsWith("_hash") ? "ioc_type " + type + " (file hashes are not seen in "
                        + "traffic)" : "ioc_type " + (type.isEmpty() ? "(empty)" : type));
            }
        }
        return out.result();
    }

    private static int confidence(String text) {
        try {
            int c = Integer.parseInt(text.strip());
            return c >= 0 && c <= 100 ? c : ParseCollector.DEFAULT_RISK;
        } catch (NumberFormatException e) {
            return ParseCollector.DEFAULT_RISK;
        }
    }

    /** The data rows with the column index from the header comment. */
    private record Table(Map<String, Integer> columns, List<CsvReader.Row> rows) {
        static Table read(String text, boolean spacesBeforeQuotes, List<String> required, ParseCollector out) {
            Map<String, Integer> columns = null;
            // one output line per input line (comments become blank), so CSV line numbers are the file's
            StringBuilder data = new StringBuilder(text == null ? 0 : text.length());
            for (String line : FeedText.lines(text == null ? "" : text)) {
                String t = line.strip();
                if (t.startsWith("#")) {
                    Map<String, Integer> header = header(t.substring(1), spacesBeforeQuotes);
                    if (header != null && header.keySet().containsAll(required)) {
                        columns = header;
                    }
                } else {
                    data.append(line);
                }
                data.append('\n');
            }
            if (columns == null) {
                out.problem(1, "no header comment naming the columns " + required);
                return null;
            }
            List<CsvReader.Row> rows = new java.util.ArrayList<>();
            for (CsvReader.Row row : CsvReader.read(data.toString(), spacesBeforeQuotes)) {
                if (row.isBlank()) {
                    continue;
                }
                if (row.error() != null) {
                    out.problem(row.line(), row.error());
                } else if (row.fields().size() != columns.size()) {
                    out.problem(row.line(), "expected " + columns.size() + " fields, found " + row.fields().size());
                } else {
                    rows.add(row);
                }
            }
            return new Table(columns, rows);
        }

        String cell(CsvReader.Row row, String column) {
            Integer i = columns.get(column);
            return i == null ? "" : row.fields().get(i).strip();
        }

        private static Map<String, Integer> header(String text, boolean spacesBeforeQuotes) {
            List<CsvReader.Row> rows = CsvReader.read(text.strip(), spacesBeforeQuotes);
            if (rows.size() != 1 || rows.getFirst().error() != null || rows.getFirst().fields().size() < 2) {
                return null;
            }
            Map<String, Integer> columns = new HashMap<>();
            List<String> fields = rows.getFirst().fields();
            for (int i = 0; i < fields.size(); i++) {
                columns.putIfAbsent(fields.get(i).strip().toLowerCase(Locale.ROOT), i);
            }
            return columns;
        }
    }
}
