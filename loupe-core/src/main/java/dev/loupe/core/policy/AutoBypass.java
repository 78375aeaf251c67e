package dev.loupe.core.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns which hosts cannot be intercepted and bypasses them for a while: apps that pin their
 * server's certificate reject the forged one (the gateway reports each rejection), and servers that
 * request a client certificate (mTLS) can never be intercepted.
 *
 * <p>A bypass switches inspection off, so a client must not be able to grant one for others (malware can
 * reject certificates for its own C2 host on purpose). Hence: per-client scope by default; in global
 * scope rejections from {@code global-min-clients} distinct clients; never for a host that an indicator,
 * a block rule or the {@code never-bypass} list covers ({@link Eligibility}); at most
 * {@code max-grants-per-minute} grants; every grant and refusal logged and counted. Only real certificate
 * rejections are reported here; telling them from other handshake failures is the gateway's job.
 *
 * <p>Thread-safe: state changes are atomic per key via {@code compute}. Memory is bounded: at most
 * {@code maxTracked} keys, evicted by Caffeine, and entries expire by themselves. Time comes only from the
 * given {@link Clock}, so tests can move it.
 */
public final class AutoBypass {
    private static final Logger log = LoggerFactory.getLogger(AutoBypass.class);
    /** The {@link Verdict#rule()} of bypasses granted here. */
    public static final String RULE_NAME = "auto-bypass";
    static final int DEFAULT_MAX_TRACKED = 100_000;
    /** Rejections remembered per key: enough to count distinct clients, bounded against floods. */
    private static final int MAX_REMEMBERED = 256;

    /**
     * An active (or past, in {@link #recentGrants}) bypass. {@code client} is null in global scope;
     * {@code failures} is the number of certificate rejections that led to it (0 for mTLS).
     */
    public record Entry(String host, String client, String reason, Instant since, Instant until, int failures) {
    }

    /** Why a host must not be bypassed: {@code kind} is a short metric label (indicator, block-rule, ...). */
    public record Refusal(String kind, String detail) {
    }

    /** Says whether a host may be bypassed for the connection described by the facts. */
    @FunctionalInterface
    public interface Eligibility {
        Optional<Refusal> whyNot(ConnectionFacts facts);

        Eligibility ANY = facts -> Optional.empty();
    }

    /** What a report led to. */
    public enum Outcome { IGNORED, COUNTED, GRANTED, ALREADY_BYPASSED, REFUSED }

    /** {@code client} is null in global scope, so all clients share one entry per host. */
    private record Key(String host, InetAddress client) {
    }

    /**
     * Recent rejections (epoch millis, oldest first, with the client of each); {@code until} is null while not
     * bypassed.
     */
    private record State(long[] failureTimes, InetAddress[] clients, Instant since, Instant until, String reason) {
        boolean bypassedAt(Instant now) {
            return until != null && now.isBefore(until);
        }

        long distinctClients() {
            return Arrays.stream(clients).distinct().count();
        }
    }

    private final AutoBypassSettings settings;
    private final Clock clock;
    private final Cache<Key, State> states;
    private final GrantLedger ledger;
    private final List<NamePattern> neverHosts;
    /** Replaced together by a configuration reload (new rules, category lists); learned state is kept. */
    private volatile CategoryList categories;
    private volatile Eligibility eligibility;
    /** Told of every grant made here (the cluster shares it); must not block, it runs inside the state update. */
    private volatile java.util.function.Consumer<Entry> grantListener = e -> { };

    public AutoBypass(AutoBypassSettings settings, Clock clock) {
        this(settings, clock, CategoryList.empty(), Eligibility.ANY, DEFAULT_MAX_TRACKED);
    }

    public AutoBypass(AutoBypassSettings settings, Clock clock, CategoryList categories, Eligibility eligibility) {
        this(settings, clock, categories, eligibility, DEFAULT_MAX_TRACKED);
    }

    AutoBypass(AutoBypassSettings settings, Clock clock, CategoryList categories, Eligibility eligibility,
               int maxTracked) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.categories = Objects.requireNonNull(categories, "categories");
        this.eligibility = Objects.requireNonNull(eligibility, "eligibility");
        this.ledger = new GrantLedger(settings.maxGrantsPerMinute());
        List<String> hosts = settings.neverBypass().hosts();
        this.neverHosts = java.util.stream.IntStream.range(0, hosts.size())
                .mapToObj(i -> NamePattern.parse("never-bypass.hosts[" + i + "]", hosts.get(i), "never-bypass",
                        NamePattern.Syntax.HOST)).toList();
        this.states = Caffeine.newBuilder()
                .maximumSize(maxTracked)
                .expireAfter(new StateExpiry())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run) // maintenance is small; running it inline keeps expiry deterministic
                .build();
    }

    /** A client aborted the handshake on our forged certificate (certificate alert, or closed right after it). */
    public Outcome clientRejectedCertificate(InetAddress client, String host) {
        return clientRejectedCertificate(facts(client, host));
    }

    public Outcome clientRejectedCertificate(ConnectionFacts facts) {
        Key key = key(facts.client(), facts.host());
        if (key == null) {
            return Outcome.IGNORED;
        }
        Instant now = clock.instant();
        Outcome[] outcome = {Outcome.COUNTED};
        states.asMap().compute(key, (k, old) -> afterRejection(k, old, facts, now, outcome));
        return outcome[0];
    }

    /** The server asked for a client certificate: interception cannot work, so bypass at once (if allowed). */
    public Outcome serverRequestedClientCertificate(InetAddress client, String host) {
        return serverRequestedClientCertificate(facts(client, host));
    }

    public Outcome serverRequestedClientCertificate(ConnectionFacts facts) {
        Key key = key(facts.client(), facts.host());
        if (key == null) {
            return Outcome.IGNORED;
        }
        Instant now = clock.instant();
        Outcome[] outcome = {Outcome.GRANTED};
        states.asMap().compute(key, (k, old) -> {
            if (old != null && old.bypassedAt(now)) {
                outcome[0] = Outcome.ALREADY_BYPASSED;
                return old;
            }
            State granted = tryGrant(k, old, new long[0], new InetAddress[0], facts, now,
                    "server requested a client certificate (mTLS cannot be intercepted)");
            outcome[0] = granted.bypassedAt(now) ? Outcome.GRANTED : Outcome.REFUSED;
            return granted.failureTimes().length == 0 && granted.until() == null ? null : granted;
        });
        return outcome[0];
    }

    /** A bypass verdict while {@code host} (for {@code client}, in per-client scope) is bypassed. */
    public Optional<Verdict.Bypass> check(InetAddress client, String host) {
        Key key = key(client, host);
        State state = key == null ? null : states.getIfPresent(key);
        if (state == null || !state.bypassedAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new Verdict.Bypass(RULE_NAME, state.reason() + "; bypassed until " + state.until()));
    }

    /** A reload changed the rules or category lists: later decisions use these; bypasses in force stay. */
    public void reconfigure(CategoryList categories, Eligibility eligibility) {
        this.categories = Objects.requireNonNull(categories, "categories");
        this.eligibility = Objects.requireNonNull(eligibility, "eligibility");
    }

    /** {@code listener} hears of every bypass granted on this node (not of adopted ones); it must not block. */
    public void onGrant(java.util.function.Consumer<Entry> listener) {
        this.grantListener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Installs a bypass another node of the cluster granted, until its own end. Refused (false) when it has
     * already ended, when this node's never-bypass list covers the host, or when its scope (per client or
     * global) is not this node's: that node runs another configuration, and its grant must not widen ours.
     */
    public boolean adopt(Entry entry) {
        Instant now = clock.instant();
        String host = ConnectionFacts.normaliseHost(entry.host());
        if (!settings.enabled() || host == null || !now.isBefore(entry.until())
                || (entry.client() == null) == settings.perClient()) {
            return false;
        }
        Optional<Refusal> never = neverBypass(host);
        if (never.isPresent()) {
            log.info("bypass of {} learned on another node not adopted: {}", host, never.get().detail());
            return false;
        }
        InetAddress client = null;
        if (entry.client() != null) {
            client = dev.loupe.core.net.IpLiterals.address(entry.client()).orElse(null);
            if (client == null) {
                return false;
            }
        }
        State state = new State(new long[0], new InetAddress[0], entry.since(), entry.until(), entry.reason());
        states.asMap().merge(new Key(host, client), state,
                (old, incoming) -> old.bypassedAt(now) && !old.until().isBefore(incoming.until()) ? old : incoming);
        return true;
    }

    /** An operator ends a bypass before its time (the dashboard's remove button); true when one was in force. */
    public boolean revoke(String host, String client) {
        String h = ConnectionFacts.normaliseHost(host);
        if (h == null) {
            return false;
        }
        InetAddress address = client == null || client.isBlank() ? null
                : dev.loupe.core.net.IpLiterals.address(client).orElse(null);
        if (client != null && !client.isBlank() && address == null) {
            return false;
        }
        State removed = states.asMap().remove(new Key(h, address));
        boolean wasActive = removed != null && removed.bypassedAt(clock.instant());
        if (wasActive) {
            log.info("auto-bypass of {}{} revoked by the operator", h, address == null ? "" : " (client " + client + ")");
        }
        return wasActive;
    }

    /** Bypasses in force now, oldest first. */
    public List<Entry> active() {
        Instant now = clock.instant();
        return states.asMap().entrySet().stream()
                .filter(e -> e.getValue().bypassedAt(now))
                .map(e -> toEntry(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(Entry::since).thenComparing(Entry::host))
                .toList();
    }

    /** The latest grants (at most 100), oldest first, whether or not still in force. */
    public List<Entry> recentGrants() {
        return ledger.recentGrants();
    }

    /** How many bypasses were granted since start (a host bypassed twice counts twice). */
    public long bypassesGranted() {
        return ledger.grantedTotal();
    }

    /** Grants refused since start, by reason kind (indicator, block-rule, never-bypass, rate-limit). */
    public Map<String, Long> refusals() {
        return ledger.refusals();
    }

    public AutoBypassSettings settings() {
        return settings;
    }

    private Key key(InetAddress client, String host) {
        String h = ConnectionFacts.normaliseHost(host);
        if (!settings.enabled() || h == null) {
            return null; // without a host there is nothing stable to remember
        }
        return new Key(h, settings.perClient() ? client : null);
    }

    private State afterRejection(Key key, State old, ConnectionFacts facts, Instant now, Outcome[] outcome) {
        if (old != null && old.bypassedAt(now)) {
            outcome[0] = Outcome.ALREADY_BYPASSED;
            return old;
        }
        long windowStart = now.toEpochMilli() - settings.window().toMillis();
        // An expired bypass starts the count afresh: the host gets a full new chance.
        boolean fresh = old == null || old.until() != null;
        long[] previous = fresh ? new long[0] : old.failureTimes();
        InetAddress[] previousClients = fresh ? new InetAddress[0] : old.clients();
        int keep = 0;
        int from = 0;
        for (int i = 0; i < previous.length; i++) {
            if (previous[i] > windowStart) {
                keep++;
            } else {
                from = i + 1;
            }
        }
        int n = Math.min(keep + 1, MAX_REMEMBERED);
        int skip = keep + 1 - n;
        long[] recent = new long[n];
        InetAddress[] clients = new InetAddress[n];
        System.arraycopy(previous, from + skip, recent, 0, n - 1);
        System.arraycopy(previousClients, from + skip, clients, 0, n - 1);
        recent[n - 1] = now.toEpochMilli();
        clients[n - 1] = facts.client();
        State counting = new State(recent, clients, null, null, null);
        if (recent.length < settings.failures()
                || (!settings.perClient() && counting.distinctClients() < settings.globalMinClients())) {
            return counting;
        }
        String reason = "client" + (settings.perClient() ? "" : "s") + " rejected the forged certificate "
                + recent.length + " times within " + describe(settings.window())
                + (settings.perClient() ? "" : " (" + counting.distinctClients() + " distinct clients)")
                + " (certificate pinning?)";
        State next = tryGrant(key, old, recent, clients, facts, now, reason);
        outcome[0] = next.bypassedAt(now) ? Outcome.GRANTED : Outcome.REFUSED;
        return next;
    }

    /** A bypass, unless the host may not be bypassed or the grant rate is exhausted (then: counting goes on). */
    private State tryGrant(Key key, State old, long[] failures, InetAddress[] clients, ConnectionFacts facts,
                           Instant now, String reason) {
        Optional<Refusal> refusal = neverBypass(key.host());
        if (refusal.isEmpty()) {
            refusal = eligibility.whyNot(facts);
        }
        if (refusal.isEmpty() && !ledger.takeGrant(now)) {
            refusal = Optional.of(new Refusal("rate-limit", "more than " + settings.maxGrantsPerMinute()
                    + " bypasses granted within a minute (auto-bypass.max-grants-per-minute)"));
        }
        if (refusal.isPresent()) {
            ledger.refused(refusal.get().kind());
            log.info("auto-bypass refused for {}{}: {} ({})", key.host(), clientLabel(key, facts), reason,
                    refusal.get().detail());
            return new State(failures, clients, null, null, null);
        }
        State state = new State(failures, clients, now, now.plus(settings.duration()), reason);
        Entry entry = toEntry(key, state);
        ledger.granted(entry);
        grantListener.accept(entry);
        log.info("auto-bypass granted for {}{} until {}: {}", key.host(), clientLabel(key, facts), state.until(),
                reason);
        return state;
    }

    private Optional<Refusal> neverBypass(String host) {
        for (NamePattern p : neverHosts) {
            if (p.matches(host)) {
                return Optional.of(new Refusal("never-bypass", "host matches never-bypass " + p.source()));
            }
        }
        List<String> never = settings.neverBypass().categories();
        if (!never.isEmpty()) {
            for (String category : categories.categoriesOf(host)) {
                if (never.contains(category)) {
                    return Optional.of(new Refusal("never-bypass", "category " + category + " is in never-bypass"));
                }
            }
        }
        return Optional.empty();
    }

    private static String clientLabel(Key key, ConnectionFacts facts) {
        return key.client() == null ? " (all clients; reported by " + facts.client().getHostAddress() + ")"
                : " (client " + key.client().getHostAddress() + ")";
    }

    private static ConnectionFacts facts(InetAddress client, String host) {
        return new ConnectionFacts(client, null, 0, host, null, List.of(), null, null, null, null);
    }

    private static Entry toEntry(Key key, State state) {
        String client = key.client() == null ? null : key.client().getHostAddress();
        return new Entry(key.host(), client, state.reason(), state.since(), state.until(), state.failureTimes().length);
    }

    private static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT); // PT5M -> 5m
    }

    /** Keeps an entry while it matters: until its bypass ends, or until its newest rejection leaves the window. */
    private final class StateExpiry implements Expiry<Key, State> {
        @Override
        public long expireAfterCreate(Key key, State state, long currentTime) {
            long[] failures = state.failureTimes();
            long endMillis = state.until() != null ? state.until().toEpochMilli()
                    : failures.length == 0 ? 0 : failures[failures.length - 1] + settings.window().toMillis();
            return Math.max(0, TimeUnit.MILLISECONDS.toNanos(endMillis) - currentTime);
        }

        @Override
        public long expireAfterUpdate(Key key, State state, long currentTime, long currentDuration) {
            return expireAfterCreate(key, state, currentTime);
        }

        @Override
        public long expireAfterRead(Key key, State state, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
