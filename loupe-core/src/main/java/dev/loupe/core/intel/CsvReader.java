package dev.loupe.core.intel;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records: comma-separated fields, double-quoted fields may contain commas, line breaks and
 * doubled quotes. A malformed record (stray quote, text after a closing quote, unterminated quote) is
 * returned with an error and reading resumes at the next line, so one bad row costs only itself.
 */
final class CsvReader {
    /** A record and the 1-based line it starts on; {@code error} is null for a well-formed one. */
    record Row(int line, List<String> fields, String error) {
        boolean isBlank() {
            return error == null && fields.size() == 1 && fields.getFirst().isBlank();
        }
    }

    private final String text;
    private final boolean spacesBeforeQuotes;
    private int pos;
    private int line = 1;

    private CsvReader(String text, boolean spacesBeforeQuotes) {
        this.text = text;
        this.spacesBeforeQuotes = spacesBeforeQuotes;
    }

    static List<Row> read(String text) {
        return read(text, false);
    }

    /**
     * {@code spacesBeforeQuotes}: blanks between a comma and an opening quote are skipped, for exports that
     * separate quoted fields with {@code ", "} (abuse.ch ThreatFox); RFC 4180 would make them part of the field.
     */
    static List<Row> read(String text, boolean spacesBeforeQuotes) {
        CsvReader reader = new CsvReader(text.startsWith("\uFEFF") ? text.substring(1) : text, spacesBeforeQuotes);
        List<Row> rows = new ArrayList<>();
        while (reader.pos < reader.text.length()) {
            rows.add(reader.row());
        }
        return rows;
    }

    private Row row() {
        int start = line;
        List<String> fields = new ArrayList<>();
        while (true) {
            String error = field(fields);
            if (error != null) {
                skipRestOfLine();
                return new Row(start, fields, error);
            }
            if (pos >= text.length() || atLineBreak()) {
                consumeLineBreak();
                return new Row(start, fields, null);
            }
            pos++; // the comma
        }
    }

    /** Reads one field into {@code fields}, stopping before its terminating comma or line break. */
    private String field(List<String> fields) {
        if (spacesBeforeQuotes) {
            int p = pos;
            while (p < text.length() && (text.charAt(p) == ' ' || text.charAt(p) == '\t')) {
                p++;
            }
            if (p < text.length() && text.charAt(p) == '"') {
                pos = p;
            }
        }
        if (pos < text.length() && text.charAt(pos) == '"') {
            return quotedField(fields);
        }
        int begin = pos;
        while (pos < text.length() && text.charAt(pos) != ',' && !atLineBreak()) {
            if (text.charAt(pos) == '"') {
                return "quote inside an unquoted field";
            }
            pos++;
        }
        fields.add(text.substring(begin, pos));
        return null;
    }

    private String quotedField(List<String> fields) {
        int startLine = line;
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"' && pos < text.length() && text.charAt(pos) == '"') {
                value.append('"');
                pos++;
            } else if (c == '"') {
                fields.add(value.toString());
                boolean terminated = pos >= text.length() || text.charAt(pos) == ',' || atLineBreak();
                return terminated ? null : "text after a closing quote";
            } else {
                line += c == '\n' || (c == '\r' && (pos >= text.length() || text.charAt(pos) != '\n')) ? 1 : 0;
                value.append(c);
            }
        }
        return "quoted field opened on line " + startLine + " is never closed";
    }

    private boolean atLineBreak() {
        char c = text.charAt(pos);
        return c == '\n' || c == '\r';
    }

    private void consumeLineBreak() {
        if (pos < text.length() && text.charAt(pos) == '\r') {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == '\n') {
            pos++;
        }
        line++;
    }

    private void skipRestOfLine() {
        while (pos < text.length() && !atLineBreak()) {
            pos++;
        }
        consumeLineBreak();
    }
}
