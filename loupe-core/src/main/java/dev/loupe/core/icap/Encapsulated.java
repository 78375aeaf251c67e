package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The {@code Encapsulated} header (RFC 3507 section 4.4.1): where each encapsulated HTTP head starts in the
 * message body, and which kind of body (or none) follows them. It is the only framing information ICAP
 * has, so both directions are validated strictly: heads in order, each non-empty, exactly one body entry
 * and it comes last.
 */
public record Encapsulated(List<Entry> entries) {

    /** The section names; a message has at most one head of each kind and exactly one body entry. */
    public enum Section {
        REQ_HDR("req-hdr"), RES_HDR("res-hdr"),
        REQ_BODY("req-body"), RES_BODY("res-body"), NULL_BODY("null-body"), OPT_BODY("opt-body");

        private final String token;

        Section(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        public boolean isBody() {
            return ordinal() >= REQ_BODY.ordinal();
        }

        static Section byToken(String token) {
            for (Section section : values()) {
                if (section.token.equals(token.toLowerCase(Locale.ROOT))) {
                    return section;
                }
            }
            return null;
        }
    }

    /** One {@code name=offset} pair; offsets count bytes from the start of the ICAP message body. */
    public record Entry(Section section, int offset) {
        public Entry {
            Objects.requireNonNull(section, "section");
        }
    }

    /** {@code null-body=0}: nothing is encapsulated (OPTIONS, 100 Continue, 204). */
    public static final Encapsulated NONE = new Encapsulated(List.of(new Entry(Section.NULL_BODY, 0)));

    public Encapsulated {
        entries = List.copyOf(entries);
        String problem = problem(entries);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Parses a header value such as {@code req-hdr=0, res-hdr=109, res-body=221}.
     *
     * @param at stream offset reported if the value is invalid
     */
    public static Encapsulated parse(String value, long at) throws IcapProtocolException {
        List<Entry> entries = new ArrayList<>();
        String shown = HeaderFields.abbreviate(value);
        for (String part : value.split(",", -1)) {
            Entry entry = entry(part.strip());
            if (entry == null) {
                throw new IcapProtocolException(Kind.BAD_ENCAPSULATED, "invalid entry '"
                        + HeaderFields.abbreviate(part.strip()) + "' in Encapsulated: " + shown, at);
            }
            entries.add(entry);
        }
        String problem = problem(entries);
        if (problem != null) {
            throw new IcapProtocolException(Kind.BAD_ENCAPSULATED, problem + " in Encapsulated: " + shown, at);
        }
        return new Encapsulated(entries);
    }

    /** Length of all encapsulated heads together, i.e. where the body starts. */
    public int headLength() {
        return entries.getLast().offset();
    }

    public Section body() {
        return entries.getLast().section();
    }

    /** Whether a chunked body follows the heads. */
    public boolean hasBody() {
        return body() != Section.NULL_BODY;
    }

    public boolean has(Section section) {
        return offset(section) >= 0;
    }

    /** Offset of the section, -1 when absent. */
    public int offset(Section section) {
        for (Entry entry : entries) {
            if (entry.section() == section) {
                return entry.offset();
            }
        }
        return -1;
    }

    /** Where the section ends: the offset of the entry after it (only meaningful for heads). */
    int end(Section section) {
        for (int i = 0; i < entries.size() - 1; i++) {
            if (entries.get(i).section() == section) {
                return entries.get(i + 1).offset();
            }
        }
        return -1;
    }

    /** The header value as it goes on the wire. */
    public String format() {
        StringJoiner joined = new StringJoiner(", ");
        for (Entry entry : entries) {
            joined.add(entry.section().token() + "=" + entry.offset());
        }
        return joined.toString();
    }

    private static Entry entry(String part) {
        int equals = part.indexOf('=');
        if (equals <= 0) {
            return null;
        }
        Section section = Section.byToken(part.substring(0, equals).strip());
        String digits = part.substring(equals + 1).strip();
        // nine digits keep the offset an int; real head blocks are far smaller and limited separately
        if (section == null || digits.isEmpty() || digits.length() > 9
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return new Entry(section, Integer.parseInt(digits));
    }

    /** Describes why the entries cannot frame a message, or null when they can. */
    private static String problem(List<Entry> entries) {
        if (entries.isEmpty()) {
            return "no entries";
        }
        Set<Section> seen = EnumSet.noneOf(Section.class);
        int previousOffset = -1;
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            boolean last = i == entries.size() - 1;
            if (entry.section().isBody() != last) {
                return last ? "the last entry must be a body entry" : "a body entry must come last";
            }
            if (!seen.add(entry.section()) || entry.section() == Section.REQ_HDR && seen.contains(Section.RES_HDR)) {
                return "heads repeated or out of order";
            }
            if (i == 0 ? entry.offset() != 0 : entry.offset() <= previousOffset) {
                return i == 0 ? "the first entry must start at offset 0" : "offsets must increase";
            }
            previousOffset = entry.offset();
        }
        return null;
    }
}
