package dev.loupe.core.intel;

import java.time.Instant;
import java.util.Objects;

/**
 * One piece of threat intelligence: something clients must not reach. The value is normalised at
 * construction, so equal indicators compare equal whatever their feed's spelling:
 * <ul>
 * <li>DOMAIN: lower-case ASCII (A-labels), no trailing dot. A leading {@code *.} or {@code .} sets
 * {@code includeSubdomains}. With the flag the indicator matches the name itself and every name below it;
 * without it only the name itself.</li>
 * <li>URL: {@code host[:port]/path[?query]}: scheme, user info and fragment dropped, host lower-cased,
 * ports 80 and 443 dropped, empty path becomes "/", percent-escapes and dot segments normalised.
 * <b>Matching rule:</b> a URL indicator matches a request whose canonical URL is equal to it; an indicator
 * without a query also matches the same path with any query; an indicator whose path ends with "/" (and
 * has no query) matches every URL on that host and port whose path starts with it. So
 * {@code evil.example/kit/} covers {@code /kit/a.exe?x=1}, {@code evil.example/} the whole site, and
 * {@code evil.example/kit} only {@code /kit} itself (with any query).</li>
 * <li>IP: canonical text of the address ({@code InetAddress.getHostAddress}); IPv4-mapped IPv6 becomes IPv4.</li>
 * <li>CIDR: canonical network ({@code dev.loupe.core.net.Cidr}), host bits cleared.</li>
 * </ul>
 * Construction throws IllegalArgumentException for values that cannot be normalised.
 *
 * @param risk      0 (informational) to 100 (certainly malicious)
 * @param expiresAt when the indicator stops matching; null for never
 */
public record Indicator(IndicatorType type, String value, boolean includeSubdomains, String source, int risk,
                        Instant firstSeen, Instant lastSeen, Instant expiresAt) {

    public Indicator {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        String text = value.strip();
        if (type == IndicatorType.DOMAIN && (text.startsWith("*.") || text.startsWith("."))) {
            includeSubdomains = true;
        }
        if (includeSubdomains && type != IndicatorType.DOMAIN) {
            throw new IllegalArgumentException("only DOMAIN indicators can include subdomains");
        }
        value = IndicatorValues.key(type, text);
        source = source == null || source.isBlank() ? "unknown" : source.strip();
        if (risk < 0 || risk > 100) {
            throw new IllegalArgumentException("risk " + risk + " outside 0..100");
        }
    }

    /** An indicator seen now for the first time, never expiring; subdomains only via a "*." prefix. */
    public static Indicator of(IndicatorType type, String value, String source, int risk, Instant now) {
        return new Indicator(type, value, false, source, risk, now, now, null);
    }

    /** The canonical value an indicator of this type stores for {@code value}; throws if it has none. */
    public static String canonical(IndicatorType type, String value) {
        return IndicatorValues.key(type, value.strip());
    }

    /** True once expiresAt has been reached: from then on the indicator must not match. */
    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public Indicator withSource(String newSource) {
        return new Indicator(type, value, includeSubdomains, newSource, risk, firstSeen, lastSeen, expiresAt);
    }
}
