package dev.loupe.core.icap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an ICAP server said about a message, normalised from the headers the common vendors use, read leniently
 * (vendors differ in spacing, order and case):
 * <ul>
 *   <li>{@code X-Infection-Found: Type=0; Resolution=2; Threat=Eicar-Test-Signature;} (draft-stecher-icap-subid):
 *       threat; Type as category (0 virus, 1 mail-worm, 2 container, ...); Resolution (0 not fixed, 1 repaired,
 *       2 blocked);</li>
 *   <li>{@code X-Violations-Found: <count>} then four lines per violation (file name, threat, violation id,
 *       resolution), which arrive folded into one value: the first violation is reported;</li>
 *   <li>{@code X-Virus-ID} (a threat name); {@code X-Response-Info} (a resolution such as BLOCKED) and
 *       {@code X-Response-Desc} (text, a category when it names one); {@code X-Blocked-Reason} (a category).</li>
 * </ul>
 * Any field may be null.
 */
public record IcapVerdict(String threat, String category, String resolution) {
    public static final IcapVerdict NONE = new IcapVerdict(null, null, null);

    public boolean isEmpty() {
        return threat == null && category == null && resolution == null;
    }

    public static IcapVerdict of(IcapHeaders headers) {
        String threat = null;
        String category = null;
        String resolution = null;
        String infection = headers.first("X-Infection-Found").orElse(null);
        if (infection != null) {
            threat = attribute(infection, "threat");
            String type = attribute(infection, "type");
            category = type == null ? null : switch (type) {
                case "0" -> "virus";
                case "1" -> "mail-worm";
                case "2" -> "container";
                default -> "type " + type;
            };
            resolution = resolution(attribute(infection, "resolution"));
            if (threat == null && attribute(infection, "type") == null) {
                threat = infection.strip(); // free text from a server that ignores the draft's syntax
            }
        }
        String violations = headers.first("X-Violations-Found").orElse(null);
        if (violations != null && threat == null) {
            List<String> tokens = tokens(violations);
            // count, then file name, threat, violation id, resolution: the last three of the first group
            if (tokens.size() >= 5 && tokens.get(0).matches("[0-9]+")) {
                int groupEnd = Integer.parseInt(tokens.get(0)) == 1 ? tokens.size() : 5;
                threat = tokens.get(groupEnd - 3);
                resolution = resolution(tokens.get(groupEnd - 1));
            }
        }
        if (threat == null) {
            threat = headers.first("X-Virus-ID").map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        }
        String info = headers.first("X-Response-Info").map(String::strip).orElse(null);
        String desc = headers.first("X-Response-Desc").map(String::strip).orElse(null);
        if (resolution == null && info != null && !info.isEmpty()) {
            resolution = info.toLowerCase(Locale.ROOT);
        }
        if (desc != null && !desc.isEmpty()) {
            String named = after(desc, "category");
            if (category == null && named != null) {
                category = named;
            } else if (threat == null) {
                threat = desc;
            }
        }
        String blockedReason = headers.first("X-Blocked-Reason").map(String::strip).orElse(null);
        if (category == null && blockedReason != null && !blockedReason.isEmpty()) {
            category = blockedReason;
        }
        return new IcapVerdict(threat, category, resolution);
    }

    private static String resolution(String code) {
        if (code == null) {
            return null;
        }
        return switch (code.strip()) {
            case "0" -> "not-fixed";
            case "1" -> "repaired";
            case "2" -> "blocked";
            default -> code.strip().toLowerCase(Locale.ROOT);
        };
    }

    /** {@code name=value} out of {@code a=1; b=2;}, case-insensitive names; null when absent or empty. */
    private static String attribute(String text, String name) {
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = part.substring(eq + 1).strip();
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    /** The word after {@code marker} ("URL category gambling is blocked" gives gambling). */
    private static String after(String text, String marker) {
        List<String> words = tokens(text);
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equalsIgnoreCase(marker)) {
                return words.get(i + 1).replaceAll("[^A-Za-z0-9_.:/-]", "");
            }
        }
        return null;
    }

    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String t : text.strip().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
