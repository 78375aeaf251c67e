package dev.loupe.core.intel;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a DNS master file (RFC 1035 5.1) into entries: tokens separated by blanks, ';' comments, quoted
 * strings as one token, and parentheses joining several lines into one entry (as SOA records do).
 */
final class ZoneLexer {
    /**
     * One entry. {@code inheritsOwner} is true when the line starts with a blank: the record then belongs
     * to the previous owner name. {@code error} is non-null for a malformed entry.
     */
    record Entry(int line, boolean inheritsOwner, List<String> tokens, String error) {
    }

    private ZoneLexer() {
    }

    static List<Entry> entries(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        int depth = 0;
        int start = 0;
        boolean inherits = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (depth == 0) {
                start = i + 1;
                inherits = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
                tokens = new ArrayList<>();
            }
            depth = tokenize(line, tokens, depth);
            if (depth < 0) {
                entries.add(new Entry(start, inherits, tokens, "unbalanced ')'"));
                depth = 0;
            } else if (depth == 0 && !tokens.isEmpty()) {
                entries.add(new Entry(start, inherits, tokens, null));
            }
        }
        if (depth > 0) {
            entries.add(new Entry(start, inherits, tokens, "'(' is never closed"));
        }
        return entries;
    }

    /** Appends the line's tokens and returns the parenthesis depth after it (negative if unbalanced). */
    private static int tokenize(String line, List<String> tokens, int depth) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ';') {
                break;
            } else if (c == '(' || c == ')') {
                depth += c == '(' ? 1 : -1;
                if (depth < 0) {
                    return depth;
                }
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                i = token(line, i, tokens);
            }
        }
        return depth;
    }

    private static int token(String line, int from, List<String> tokens) {
        int i = from;
        boolean quoted = line.charAt(i) == '"';
        if (quoted) {
            i++;
            while (i < line.length() && line.charAt(i) != '"') {
                i += line.charAt(i) == '\\' ? 2 : 1;
            }
            i = Math.min(i + 1, line.length());
        } else {
            while (i < line.length() && !isDelimiter(line.charAt(i))) {
                i++;
            }
        }
        tokens.add(line.substring(from, i));
        return i;
    }

    private static boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || c == ';' || c == '(' || c == ')' || c == '"';
    }
}
