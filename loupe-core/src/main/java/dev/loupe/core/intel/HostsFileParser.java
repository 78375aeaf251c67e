package dev.loupe.core.intel;

import dev.loupe.core.net.IpLiterals;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Hosts-file blocklists ({@code 0.0.0.0 bad.example}, {@code 127.0.0.1 a b c}): every name after the
 * address becomes an exact DOMAIN indicator (hosts files have no wildcards) with risk 50. The address
 * is only where the list redirects the name, so it is not an indicator. The loopback and broadcast names
 * such lists start with are counted under "localhost" in skipped, never blocked.
 */
public final class HostsFileParser {
    private static final Set<String> LOCAL_NAMES = Set.of(
            "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
            "localhost6.localdomain6", "local", "broadcasthost", "ip6-localhost", "ip6-loopback",
            "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0");

    private static final Pattern BLANKS = Pattern.compile("\\s+");

    private HostsFileParser() {
    }

    public static ParseResult parse(String text, String source, Instant now) {
        ParseCollector out = new ParseCollector(source, now);
        List<String> lines = FeedText.lines(text);
        for (int i = 0; i < lines.size(); i++) {
            String entry = FeedText.beforeComment(lines.get(i), '#');
            if (!entry.isEmpty()) {
                parseLine(i + 1, BLANKS.split(entry), out);
            }
        }
        return out.result();
    }

    private static void parseLine(int line, String[] fields, ParseCollector out) {
        if (!IpLiterals.isLiteral(fields[0])) {
            out.problem(line, "expected an address before the host names, found '" + fields[0] + "'");
            return;
        }
        if (fields.length == 1) {
            out.problem(line, "address without host names");
            return;
        }
        for (int i = 1; i < fields.length; i++) {
            String name = fields[i].toLowerCase(Locale.ROOT);
            if (LOCAL_NAMES.contains(name)) {
                out.skip("localhost");
            } else {
                out.add(line, IndicatorType.DOMAIN, name, false, ParseCollector.DEFAULT_RISK, null);
            }
        }
    }
}
