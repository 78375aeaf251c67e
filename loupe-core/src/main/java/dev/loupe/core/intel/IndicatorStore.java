package dev.loupe.core.intel;

import dev.loupe.core.net.IpLiterals;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of all live indicators, indexed for the three matching points of a connection.
 * Building one takes seconds for a million indicators, so the caller builds the next snapshot while the
 * current one keeps serving and then swaps them atomically (an {@code AtomicReference<IndicatorStore>}).
 * Lookups are thread-safe and allocate nothing on a miss; every lookup takes the current time, because an
 * indicator whose {@code expiresAt} has passed must stop matching before the next rebuild.
 */
public final class IndicatorStore {
    private static final Comparator<Indicator> LISTING_ORDER =
            Comparator.comparing(Indicator::type).thenComparing(Indicator::value);

    private final DomainIndex domains;
    private final UrlIndex urls;
    private final AddressIndex addresses;
    private final Indicator[] listing;
    private final Map<IndicatorType, Integer> counts;
    private final HitCounters hits;
    private final Instant builtAt;

    private IndicatorStore(Map<IndicatorType, Map<String, Indicator>> byType, HitCounters hits, Instant builtAt) {
        this.domains = new DomainIndex(byType.get(IndicatorType.DOMAIN).values());
        this.urls = new UrlIndex(byType.get(IndicatorType.URL).values());
        Collection<Indicator> ips = byType.get(IndicatorType.IP).values();
        Collection<Indicator> networks = byType.get(IndicatorType.CIDR).values();
        this.addresses = new AddressIndex(concat(ips, networks));
        this.listing = sortedListing(byType);
        Map<IndicatorType, Integer> perType = new EnumMap<>(IndicatorType.class);
        byType.forEach((type, values) -> perType.put(type, values.size()));
        this.counts = Collections.unmodifiableMap(perType);
        this.hits = hits;
        this.builtAt = builtAt;
    }

    /** Drops indicators already expired at {@code now} and merges duplicates (see {@link IndicatorMerger}). */
    public static IndicatorStore build(Collection<Indicator> indicators, Instant now) {
        return build(indicators, now, null);
    }

    /** As {@link #build(Collection, Instant)}, carrying hit counts over from the snapshot being replaced. */
    public static IndicatorStore build(Collection<Indicator> indicators, Instant now, IndicatorStore previous) {
        Objects.requireNonNull(now, "now");
        Map<IndicatorType, Map<String, Indicator>> byType = IndicatorMerger.merge(indicators, now);
        HitCounters hits = previous == null ? new HitCounters()
                : previous.hits.carryOver(key -> byType.get(key.type()).containsKey(key.value()));
        return new IndicatorStore(byType, hits, now);
    }

    public static IndicatorStore empty() {
        return build(List.of(), Instant.EPOCH);
    }

    /**
     * The SNI / CONNECT host against DOMAIN indicators: the name itself, or the nearest parent domain that
     * includes subdomains. A host that is an IP literal is also checked against IP and CIDR indicators.
     */
    public Optional<Match> matchHost(String host, Instant now) {
        if (host == null || host.isEmpty()) {
            return Optional.empty();
        }
        Indicator found = domains.match(host, now);
        if (found == null && mayBeIpLiteral(host)) {
            found = IpLiterals.address(host).map(a -> addresses.match(a, now)).orElse(null);
        }
        return found == null ? Optional.empty() : Optional.of(new Match(found, Match.HOST));
    }

    /**
     * A decrypted request: its host first (a blocked domain blocks all its URLs), then URL indicators by
     * the rule documented on {@link Indicator}. The scheme is accepted for symmetry with the URL but plays
     * no part: URL indicators are scheme-less. {@code pathAndQuery} is the origin-form request target.
     */
    public Optional<Match> matchUrl(String scheme, String host, int port, String pathAndQuery, Instant now) {
        Optional<Match> byHost = matchHost(host, now);
        if (byHost.isPresent() || host == null) {
            return byHost;
        }
        Indicator found = urls.match(host, port, pathAndQuery, now);
        return found == null ? Optional.empty() : Optional.of(new Match(found, Match.URL));
    }

    /** The destination address against IP indicators and CIDR networks, the most specific network first. */
    public Optional<Match> matchAddress(InetAddress address, Instant now) {
        Indicator found = address == null ? null : addresses.match(address, now);
        return found == null ? Optional.empty() : Optional.of(new Match(found, Match.ADDRESS));
    }

    public int size() {
        return listing.length;
    }

    /** Number of indicators per type, every type present (0 when none). */
    public Map<IndicatorType, Integer> countsByType() {
        return counts;
    }

    /** A page of the indicators, ordered by type, then value; stable for the lifetime of this snapshot. */
    public List<Indicator> list(int offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must not be negative");
        }
        int from = Math.min(offset, listing.length);
        int to = (int) Math.min((long) from + limit, listing.length);
        return List.of(Arrays.copyOfRange(listing, from, to));
    }

    /** Counts a hit; called by the gateway after a match, off the lookup path. */
    public void recordHit(Match match) {
        hits.record(match.indicator());
    }

    /** Hits of the indicator with this type and value, including hits counted by earlier snapshots. */
    public long hits(Indicator indicator) {
        return hits.get(indicator);
    }

    public Instant builtAt() {
        return builtAt;
    }

    private static boolean mayBeIpLiteral(String host) {
        char last = host.charAt(host.length() - 1);
        return host.charAt(0) == '[' || host.indexOf(':') >= 0 || (last >= '0' && last <= '9');
    }

    private static Indicator[] sortedListing(Map<IndicatorType, Map<String, Indicator>> byType) {
        int total = byType.values().stream().mapToInt(Map::size).sum();
        Indicator[] all = new Indicator[total];
        int at = 0;
        for (Map<String, Indicator> values : byType.values()) {
            for (Indicator indicator : values.values()) {
                all[at++] = indicator;
            }
        }
        Arrays.parallelSort(all, LISTING_ORDER);
        return all;
    }

    private static Collection<Indicator> concat(Collection<Indicator> a, Collection<Indicator> b) {
        List<Indicator> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}
