package dev.loupe.core.intel;

import dev.loupe.core.net.IpLiterals;
import java.time.Instant;
import java.util.List;

/**
 * One indicator per line, type detected from its shape: a URL has a scheme or a '/' (unless it is an
 * address followed by a prefix length, which is a CIDR), then an IP literal, else a domain name; a leading
 * {@code *.} or {@code .} makes a domain include its subdomains. {@code #} starts a comment at the start
 * of a line or after whitespace (inside a URL it is a fragment). Every entry gets risk 50 and no expiry.
 */
public final class PlainListParser {
    private PlainListParser() {
    }

    public static ParseResult parse(String text, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        List<String> lines = FeedText.lines(text);
        for (int i = 0; i < lines.size(); i++) {
            String entry = stripComment(lines.get(i));
            if (entry.isEmpty()) {
                continue;
            }
            if (FeedText.containsWhitespace(entry)) {
                out.problem(i + 1, "more than one value on the line (hosts-file lines need the hosts parser)");
                continue;
            }
            out.add(i + 1, detect(entry), entry, false, ParseCollector.DEFAULT_RISK, null);
        }
        return out.result();
    }

    private static String stripComment(String line) {
        String text = line.strip();
        if (text.startsWith("#")) {
            return "";
        }
        for (int i = 1; i < text.length(); i++) {
            if (text.charAt(i) == '#' && Character.isWhitespace(text.charAt(i - 1))) {
                return text.substring(0, i).strip();
            }
        }
        return text;
    }

    /** The type an entry's shape implies; validation is left to the Indicator constructor. */
    static IndicatorType detect(String entry) {
        if (entry.contains("://")) {
            return IndicatorType.URL;
        }
        int slash = entry.indexOf('/');
        boolean network = slash > 0 && isPrefixLength(entry.substring(slash + 1));
        if (network && IpLiterals.isLiteral(entry.substring(0, slash))) {
            return IndicatorType.CIDR;
        }
        if (slash >= 0) {
            return IndicatorType.URL;
        }
        return IpLiterals.isLiteral(entry) ? IndicatorType.IP : IndicatorType.DOMAIN;
    }

    private static boolean isPrefixLength(String text) {
        return FeedText.isDigits(text, 3);
    }
}
