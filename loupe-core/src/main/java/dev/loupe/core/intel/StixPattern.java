package dev.loupe.core.intel;

/**
 * The subset of the STIX 2.1 patterning language an indicator store can act on: one equality comparison
 * against a string, {@code [url:value = 'http://bad.example/x']}. Everything else is classified so the
 * parser can count why it was skipped.
 */
final class StixPattern {
    sealed interface Result permits Comparison, Skip, Malformed {
    }

    /** {@code [objectPath = 'value']}, for example objectPath "domain-name:value". */
    record Comparison(String objectPath, String value) implements Result {
    }

    /** Well-formed but not usable (compound, other operators, qualifiers, other literals). */
    record Skip(String reason) implements Result {
    }

    record Malformed(String reason) implements Result {
    }

    static final String COMPOUND = "compound pattern";
    static final String UNSUPPORTED = "unsupported pattern";

    private StixPattern() {
    }

    static Result parse(String pattern) {
        String text = pattern.strip();
        if (isCompound(text)) {
            return new Skip(COMPOUND);
        }
        if (!text.startsWith("[")) {
            return new Malformed("pattern does not start with '['");
        }
        int close = text.lastIndexOf(']');
        if (close < 0) {
            return new Malformed("pattern has no closing ']'");
        }
        if (!text.substring(close + 1).isBlank()) {
            return new Skip(UNSUPPORTED); // qualifiers such as WITHIN, REPEATS, START/STOP
        }
        return comparison(text.substring(1, close).strip());
    }

    private static Result comparison(String body) {
        int operatorStart = 0;
        while (operatorStart < body.length() && !Character.isWhitespace(body.charAt(operatorStart))
                && "=!<>".indexOf(body.charAt(operatorStart)) < 0) {
            operatorStart++;
        }
        String path = body.substring(0, operatorStart);
        String rest = body.substring(operatorStart).strip();
        if (path.isEmpty() || path.indexOf(':') < 0) {
            return new Malformed("pattern has no object path");
        }
        if (!rest.startsWith("=") || rest.startsWith("==")) {
            return new Skip(UNSUPPORTED); // !=, <, >, LIKE, MATCHES, IN, ISSUBSET, NOT ...
        }
        String literal = rest.substring(1).strip();
        if (!literal.startsWith("'")) {
            return new Skip(UNSUPPORTED); // integers, booleans, b'..', h'..', t'..'
        }
        return string(literal, path);
    }

    /** Decodes a quoted string with \' and \\ escapes that must make up the whole rest of the comparison. */
    private static Result string(String literal, String path) {
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c == '\\' && i + 1 < literal.length()) {
                value.append(literal.charAt(++i));
            } else if (c == '\'') {
                return literal.substring(i + 1).isBlank()
                        ? new Comparison(path, value.toString())
                        : new Malformed("text after the string literal");
            } else {
                value.append(c);
            }
        }
        return new Malformed("unterminated string literal");
    }

    /** More than one comparison or observation: AND, OR or FOLLOWEDBY, or brackets/parentheses, outside strings. */
    private static boolean isCompound(String text) {
        int brackets = 0;
        boolean quoted = false;
        StringBuilder word = new StringBuilder();
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if (quoted) {
                i += c == '\\' ? 1 : 0;
                quoted = c != '\'';
                continue;
            }
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                word.append(c);
                continue;
            }
            String finished = word.toString();
            word.setLength(0);
            if (finished.equals("AND") || finished.equals("OR") || finished.equals("FOLLOWEDBY")) {
                return true;
            }
            quoted = c == '\'';
            brackets += c == '[' ? 1 : 0;
            if (brackets > 1 || (c == '(' && i == 0)) {
                return true;
            }
        }
        return false;
    }
}
