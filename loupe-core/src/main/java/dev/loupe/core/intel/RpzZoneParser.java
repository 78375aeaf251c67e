package dev.loupe.core.intel;

import dev.loupe.core.net.Cidr;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * DNS Response Policy Zone files. A trigger name is the owner name relative to the zone apex (the first
 * SOA owner, else the first $ORIGIN); relative owners are completed with the current $ORIGIN first.
 * Blocking actions ({@code CNAME .} NXDOMAIN, {@code CNAME *.} NODATA, {@code CNAME rpz-drop.}) become
 * indicators with risk 50: {@code bad.example} an exact DOMAIN, {@code *.bad.example} a DOMAIN including
 * subdomains (RPZ's wildcard excludes the name itself, ours includes it: feeds list both anyway), and
 * {@code <prefix>.<reversed address>.rpz-ip} an IP or CIDR. Other actions and local data are counted in
 * skipped by reason; SOA, NS and $TTL are ignored.
 */
public final class RpzZoneParser {
    private static final Set<String> BLOCKING_TARGETS = Set.of(".", "*.", "rpz-drop.");
    private static final Set<String> CLASSES = Set.of("IN", "CH", "HS", "CS");
    private static final Pattern TTL = Pattern.compile("\\d+|(\\d+[smhdwSMHDW])+");

    private final ParseCollector out;
    private String origin;
    private String apex;
    private String lastOwner;

    private RpzZoneParser(ParseCollector out) {
        this.out = out;
    }

    public static ParseResult parse(String text, String source, Instant now) {
        RpzZoneParser parser = new RpzZoneParser(new ParseCollector(source, now));
        for (ZoneLexer.Entry entry : ZoneLexer.entries(FeedText.lines(text))) {
            if (entry.error() != null) {
                parser.out.problem(entry.line(), entry.error());
            } else if (entry.tokens().getFirst().startsWith("$")) {
                parser.directive(entry);
            } else {
                parser.record(entry);
            }
        }
        return parser.out.result();
    }

    private void directive(ZoneLexer.Entry entry) {
        List<String> tokens = entry.tokens();
        switch (tokens.getFirst().toUpperCase(Locale.ROOT)) {
            case "$TTL" -> { }
            case "$ORIGIN" -> {
                if (tokens.size() < 2) {
                    out.problem(entry.line(), "$ORIGIN without a name");
                    return;
                }
                origin = absolute(tokens.get(1));
                apex = apex == null ? origin : apex;
            }
            default -> out.problem(entry.line(), "unsupported directive " + tokens.getFirst());
        }
    }

    private void record(ZoneLexer.Entry entry) {
        List<String> tokens = entry.tokens();
        int at = entry.inheritsOwner() ? 0 : 1;
        String owner = entry.inheritsOwner() ? lastOwner : absolute(tokens.getFirst());
        if (owner == null) {
            out.problem(entry.line(), "record without an owner name");
            return;
        }
        lastOwner = owner;
        while (at < tokens.size() && isTtlOrClass(tokens.get(at))) {
            at++;
        }
        if (at >= tokens.size()) {
            out.problem(entry.line(), "record without a type");
            return;
        }
        String type = tokens.get(at).toUpperCase(Locale.ROOT);
        switch (type) {
            case "SOA" -> apex = apex == null && owner.endsWith(".") ? owner : apex;
            case "NS" -> { }
            case "CNAME" -> cname(entry.line(), owner, tokens.subList(at + 1, tokens.size()));
            default -> out.skip("local data");
        }
        if (type.equals("SOA") && origin == null && apex != null) {
            origin = apex; // the zone's name is the default origin of relative names
        }
    }

    private void cname(int line, String owner, List<String> data) {
        if (data.size() != 1) {
            out.problem(line, "CNAME needs exactly one target");
            return;
        }
        String target = data.getFirst().toLowerCase(Locale.ROOT);
        if (target.equals("rpz-passthru.")) {
            out.skip("passthru");
        } else if (target.equals("rpz-tcp-only.")) {
            out.skip("tcp-only");
        } else if (!BLOCKING_TARGETS.contains(target)) {
            out.skip("redirect");
        } else {
            trigger(line, owner);
        }
    }

    private void trigger(int line, String owner) {
        String name = relativeToApex(owner);
        if (name == null) {
            out.problem(line, "'" + owner + "' is outside the zone " + apex);
        } else if (name.isEmpty()) {
            out.problem(line, "a policy at the zone apex has no trigger");
        } else if (name.endsWith(".rpz-ip")) {
            addressTrigger(line, name.substring(0, name.length() - ".rpz-ip".length()));
        } else if (name.endsWith(".rpz-client-ip")) {
            out.skip("client-ip trigger");
        } else if (name.endsWith(".rpz-nsdname") || name.endsWith(".rpz-nsip")) {
            out.skip("nameserver trigger");
        } else {
            out.add(line, IndicatorType.DOMAIN, name, false, ParseCollector.DEFAULT_RISK, null);
        }
    }

    private void addressTrigger(int line, String labels) {
        try {
            Cidr network = RpzTriggers.network(labels);
            boolean single = network.prefixLength() == network.network().length * 8;
            String value = network.toString();
            out.add(line, single ? IndicatorType.IP : IndicatorType.CIDR,
                    single ? value.substring(0, value.indexOf('/')) : value, false, ParseCollector.DEFAULT_RISK, null);
        } catch (IllegalArgumentException e) {
            out.problem(line, e.getMessage());
        }
    }

    /** The trigger part of an owner name; "" for the apex itself, null if the name is outside the zone. */
    private String relativeToApex(String owner) {
        String name = owner.toLowerCase(Locale.ROOT);
        if (name.equals("@")) {
            return "";
        }
        if (apex == null || !name.endsWith(".")) {
            return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        }
        if (name.equals(apex)) {
            return "";
        }
        return name.endsWith("." + apex) ? name.substring(0, name.length() - apex.length() - 1) : null;
    }

    /** The owner with the origin appended if relative ("@" is the origin); relative if no origin is known. */
    private String absolute(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("@")) {
            return origin != null ? origin : "@"; // the apex of a zone whose name the file does not state
        }
        if (lower.endsWith(".") || origin == null) {
            return lower;
        }
        return origin.equals(".") ? lower + "." : lower + "." + origin;
    }

    private static boolean isTtlOrClass(String token) {
        return CLASSES.contains(token.toUpperCase(Locale.ROOT)) || TTL.matcher(token).matches();
    }
}
