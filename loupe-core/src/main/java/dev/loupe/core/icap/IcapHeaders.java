package dev.loupe.core.icap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Header fields of an ICAP message, an encapsulated HTTP head or a trailer, in wire order. Names are
 * matched case-insensitively but kept as sent; a name may occur several times. Values are decoded as
 * ISO-8859-1 so that every byte a server sends maps to exactly one char, and obsolete line folding has
 * already been replaced by a single space (RFC 7230 section 3.2.4).
 */
public record IcapHeaders(List<Field> fields) {

    public static final IcapHeaders EMPTY = new IcapHeaders(List.of());

    /** One header line as received (or to be sent). */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public IcapHeaders {
        fields = List.copyOf(fields);
    }

    /** @param namesAndValues alternating names and values, e.g. {@code of("X-Client-IP", "10.0.0.1")} */
    public static IcapHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.add(new Field(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new IcapHeaders(fields);
    }

    /** A copy with one more field at the end. */
    public IcapHeaders with(String name, String value) {
        List<Field> more = new ArrayList<>(fields);
        more.add(new Field(name, value));
        return new IcapHeaders(more);
    }

    public Optional<String> first(String name) {
        for (Field field : fields) {
            if (field.name().equalsIgnoreCase(name)) {
                return Optional.of(field.value());
            }
        }
        return Optional.empty();
    }

    /** Every value of the named field, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Field field : fields) {
            if (field.name().equalsIgnoreCase(name)) {
                values.add(field.value());
            }
        }
        return List.copyOf(values);
    }

    /**
     * The comma-separated list elements of every occurrence of the field, trimmed, empty ones dropped:
     * {@code Allow: 204, 206} and two {@code Allow} lines read the same (RFC 7230 section 3.2.2).
     */
    public List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>();
        for (String value : all(name)) {
            for (String token : value.split(",")) {
                String trimmed = token.strip();
                if (!trimmed.isEmpty()) {
                    tokens.add(trimmed);
                }
            }
        }
        return List.copyOf(tokens);
    }

    /** Whether the field lists {@code token}, ignoring case (e.g. {@code Connection: close}). */
    public boolean hasToken(String name, String token) {
        String wanted = token.toLowerCase(Locale.ROOT);
        return tokens(name).stream().anyMatch(t -> t.toLowerCase(Locale.ROOT).equals(wanted));
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    public int size() {
        return fields.size();
    }
}
