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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Learns which hosts cannot be intercepted and bypasses them for a while: apps that pin their
 * server's certificate reject the forged one (the gateway reports each rejection), and servers that
 * request a client certificate (mTLS) can never be intercepted, so they are bypassed at once.
 *
 * <p>{@code failures} rejections within {@code window} grant a bypass lasting {@code duration}; after
 * that the host is decrypted again (the app may have been updated). Thread-safe: state changes are
 * atomic per host via {@code compute}. Memory is bounded: at most {@code maxTracked} hosts (or
 * client/host pairs) are tracked, beyond that Caffeine evicts, and entries expire by themselves.
 * Time comes only from the given {@link Clock}, so tests can move it.
 */
public final class AutoBypass {
    /** The {@link Verdict#rule()} of bypasses granted here. */
    public static final String RULE_NAME = "auto-bypass";
    static final int DEFAULT_MAX_TRACKED = 100_000;

    /**
     * An active bypass. {@code client} is null in global scope; {@code failures} is the number of
     * certificate rejections that led to it (0 for mTLS).
     */
    public record Entry(String host, String client, String reason, Instant since, Instant until, int failures) {
    }

    /** {@code client} is null in global scope, so all clients share one entry per host. */
    private record Key(String host, InetAddress client) {
    }

    /** Recent rejections (epoch millis, oldest first); {@code until} is null while not bypassed. */
    private record State(long[] failureTimes, Instant since, Instant until, String reason) {
        boolean bypassedAt(Instant now) {
            return until != null && now.isBefore(until);
        }
    }

    private final AutoBypassSettings settings;
    private final Clock clock;
    private final Cache<Key, State> states;
    private final LongAdder granted = new LongAdder();

    public AutoBypass(AutoBypassSettings settings, Clock clock) {
        this(settings, clock, DEFAULT_MAX_TRACKED);
    }

    AutoBypass(AutoBypassSettings settings, Clock clock, int maxTracked) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.states = Caffeine.newBuilder()
                .maximumSize(maxTracked)
                .expireAfter(new StateExpiry())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run) // maintenance is small; running it inline keeps expiry deterministic
                .build();
    }

    /** A client aborted the handshake on our forged certificate (certificate alert, or closed right after it). */
    public void clientRejectedCertificate(InetAddress client, String host) {
        Key key = key(client, host);
        if (key == null) {
            return;
        }
        Instant now = clock.instant();
        states.asMap().compute(key, (k, old) -> afterRejection(old, now));
    }

    /** The server asked for a client certificate: interception cannot work, so bypass at once. */
    public void serverRequestedClientCertificate(InetAddress client, String host) {
        Key key = key(client, host);
        if (key == null) {
            return;
        }
        Instant now = clock.instant();
        states.asMap().compute(key, (k, old) -> old != null && old.bypassedAt(now) ? old
                : grant(new long[0], now, "server requested a client certificate (mTLS cannot be intercepted)"));
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

    /** Bypasses in force now, oldest first. */
    public List<Entry> active() {
        Instant now = clock.instant();
        return states.asMap().entrySet().stream()
                .filter(e -> e.getValue().bypassedAt(now))
                .map(e -> toEntry(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(Entry::since).thenComparing(Entry::host))
                .toList();
    }

    /** How many bypasses were granted since start (a host bypassed twice counts twice). */
    public long bypassesGranted() {
        return granted.sum();
    }

    private Key key(InetAddress client, String host) {
        String h = ConnectionFacts.normaliseHost(host);
        if (!settings.enabled() || h == null) {
            return null; // without a host there is nothing stable to remember
        }
        return new Key(h, settings.perClient() ? client : null);
    }

    private State afterRejection(State old, Instant now) {
        if (old != null && old.bypassedAt(now)) {
            return old;
        }
        long windowStart = now.toEpochMilli() - settings.window().toMillis();
        // An expired bypass starts the count afresh: the host gets a full new chance.
        long[] previous = old == null || old.until() != null ? new long[0] : old.failureTimes();
        long[] recent = Arrays.stream(previous).filter(t -> t > windowStart).toArray();
        recent = Arrays.copyOf(recent, recent.length + 1);
        recent[recent.length - 1] = now.toEpochMilli();
        if (recent.length < settings.failures()) {
            return new State(recent, null, null, null);
        }
        return grant(recent, now, "client rejected the forged certificate " + recent.length + " times within "
                + describe(settings.window()) + " (certificate pinning?)");
    }

    private State grant(long[] failures, Instant now, String reason) {
        granted.increment();
        return new State(failures, now, now.plus(settings.duration()), reason);
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
                    : failures[failures.length - 1] + settings.window().toMillis();
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
