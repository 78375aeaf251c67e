package dev.loupe.gateway.intel;

import dev.loupe.core.config.IntelConfig;
import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.IndicatorSources;
import dev.loupe.core.intel.IndicatorStore;
import dev.loupe.core.intel.IndicatorType;
import dev.loupe.core.intel.Match;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live indicator stores. Sources are refreshed on their own thread; each change builds a new
 * store beside the old one and swaps it in atomically, so lookups on event loops never wait and
 * open connections are never dropped by an update. Indicators pushed through the API live in a
 * small store of their own: a push rebuilds only that one, so it blocks within milliseconds even
 * when the feeds hold millions of indicators (whose rebuild takes seconds).
 */
public final class IntelService implements AutoCloseable, dev.loupe.core.intel.IndicatorLookup {
    private static final Logger log = LoggerFactory.getLogger(IntelService.class);
    public static final String API_SOURCE = "api";

    private final IndicatorSources sources = new IndicatorSources();
    private final IndicatorSources pushedSources = new IndicatorSources();
    private final AtomicReference<IndicatorStore> store;
    private final AtomicReference<IndicatorStore> pushed;
    private final ScheduledExecutorService scheduler;
    /** The running pollers by source name, with the configuration each runs (guarded by this). */
    private final java.util.Map<String, Polling> polling = new java.util.LinkedHashMap<>();

    private record Polling(IntelSourceConfig config, FeedPoller poller, java.util.concurrent.ScheduledFuture<?> task) {
    }
    private final Clock clock;

    public IntelService(IntelConfig config, Clock clock) {
        this.clock = clock;
        this.store = new AtomicReference<>(IndicatorStore.build(List.of(), clock.instant()));
        this.pushed = new AtomicReference<>(IndicatorStore.build(List.of(), clock.instant()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loupe-intel");
            t.setDaemon(true);
            return t;
        });
        for (IntelSourceConfig source : config.sources()) {
            schedule(source);
        }
        // expired indicators stop matching at lookup time; a periodic rebuild also frees their memory
        scheduler.scheduleWithFixedDelay(this::rebuild, 1, 1, TimeUnit.MINUTES);
    }

    private synchronized void schedule(IntelSourceConfig source) {
        FeedPoller poller = FeedPoller.of(source, clock, this::replaceSource);
        long every = source.interval().toMillis();
        polling.put(source.name(), new Polling(source, poller,
                scheduler.scheduleWithFixedDelay(poller::pollSafely, 0, every, TimeUnit.MILLISECONDS)));
    }

    /**
     * A reload: sources gone or changed stop (a gone source's indicators go with it, a changed one keeps its
     * indicators until its first new load replaces them), new and changed ones start; unchanged ones go on.
     * Pushed indicators are untouched.
     */
    public synchronized void reconfigure(IntelConfig config) {
        java.util.Map<String, IntelSourceConfig> wanted = new java.util.LinkedHashMap<>();
        config.sources().forEach(source -> wanted.put(source.name(), source));
        for (var it = polling.entrySet().iterator(); it.hasNext(); ) {
            var running = it.next();
            IntelSourceConfig next = wanted.get(running.getKey());
            if (!running.getValue().config().equals(next)) {
                running.getValue().task().cancel(false);
                it.remove();
                if (next == null && sources.removeSource(running.getKey())) {
                    rebuild();
                }
            }
        }
        wanted.values().forEach(source -> {
            if (!polling.containsKey(source.name())) {
                schedule(source);
                log.info("intel source '{}' (re)configured", source.name());
            }
        });
    }

    /** Each configured source's latest refresh, in configuration order. */
    public synchronized List<SourceStatus> sourceStatus() {
        return polling.values().stream().map(p -> p.poller().status()).toList();
    }

    /** The stores to consult, pushed indicators first: {pushed, feeds}. */
    public List<IndicatorStore> stores() {
        return List.of(pushed.get(), store.get());
    }

    public Optional<Match> matchHost(String host) {
        if (host == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return first(s -> s.matchHost(host, now));
    }

    public Optional<Match> matchAddress(InetAddress address) {
        if (address == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return first(s -> s.matchAddress(address, now));
    }

    public Optional<Match> matchUrl(String scheme, String host, int port, String pathAndQuery) {
        Instant now = clock.instant();
        return first(s -> s.matchUrl(scheme, host, port, pathAndQuery, now));
    }

    /** As {@link #matchHost} etc. but counting no hit: an operator asking "would this match?" is not traffic. */
    public Optional<Match> peek(java.util.function.BiFunction<IndicatorStore, Instant, Optional<Match>> lookup) {
        Instant now = clock.instant();
        Optional<Match> match = lookup.apply(pushed.get(), now);
        return match.isPresent() ? match : lookup.apply(store.get(), now);
    }

    private Optional<Match> first(java.util.function.Function<IndicatorStore, Optional<Match>> lookup) {
        Optional<Match> match = lookupIn(pushed.get(), lookup);
        return match.isPresent() ? match : lookupIn(store.get(), lookup);
    }

    private static Optional<Match> lookupIn(IndicatorStore store,
                                            java.util.function.Function<IndicatorStore, Optional<Match>> lookup) {
        Optional<Match> match = lookup.apply(store);
        match.ifPresent(store::recordHit);
        return match;
    }

    /** Push API: adds (or refreshes) an indicator; it matches as soon as this returns. */
    public synchronized void push(Indicator indicator) {
        pushedSources.add(API_SOURCE, indicator);
        pushed.set(pushedSources.rebuild(clock.instant()));
    }

    /** Push API: removes an indicator the API added; true when one was removed. */
    public synchronized boolean remove(IndicatorType type, String value) {
        boolean removed = pushedSources.remove(API_SOURCE, type, value);
        if (removed) {
            pushed.set(pushedSources.rebuild(clock.instant()));
        }
        return removed;
    }

    /** Replaces every pushed indicator at once (a node resyncing from the cluster store). */
    public synchronized void replacePushed(List<Indicator> indicators) {
        pushedSources.replace(API_SOURCE, indicators);
        pushed.set(pushedSources.rebuild(clock.instant()));
    }

    /** The pushed indicators in force now. */
    public List<Indicator> pushedIndicators() {
        IndicatorStore current = pushed.get();
        Instant now = clock.instant();
        return current.list(0, current.size()).stream().filter(i -> !i.isExpired(now)).toList();
    }

    private synchronized void replaceSource(String name, List<Indicator> indicators) {
        sources.replace(name, indicators);
        rebuild();
    }

    private synchronized void rebuild() {
        Instant now = clock.instant();
        long start = System.nanoTime();
        IndicatorStore next = sources.rebuild(now);
        store.set(next);
        pushed.set(pushedSources.rebuild(now)); // drops expired pushes
        log.debug("indicator store rebuilt: {} indicators in {} ms", next.size(), (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
