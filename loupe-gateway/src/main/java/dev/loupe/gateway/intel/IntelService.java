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
 * The live indicator store. Sources are refreshed on their own thread; each change builds a new
 * store beside the old one and swaps it in atomically, so lookups on event loops never wait and
 * open connections are never dropped by an update.
 */
public final class IntelService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntelService.class);
    public static final String API_SOURCE = "api";

    private final IndicatorSources sources = new IndicatorSources();
    private final AtomicReference<IndicatorStore> store;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;

    public IntelService(IntelConfig config, Clock clock) {
        this.clock = clock;
        this.store = new AtomicReference<>(IndicatorStore.build(List.of(), clock.instant()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loupe-intel");
            t.setDaemon(true);
            return t;
        });
        for (IntelSourceConfig source : config.sources()) {
            FeedPoller poller = FeedPoller.of(source, clock, this::replaceSource);
            long every = source.interval().toMillis();
            scheduler.scheduleWithFixedDelay(poller::pollSafely, 0, every, TimeUnit.MILLISECONDS);
        }
        // expired indicators stop matching at lookup time; a periodic rebuild also frees their memory
        scheduler.scheduleWithFixedDelay(this::rebuild, 1, 1, TimeUnit.MINUTES);
    }

    public IndicatorStore current() {
        return store.get();
    }

    public Optional<Match> matchHost(String host) {
        return host == null ? Optional.empty() : record(store.get().matchHost(host, clock.instant()));
    }

    public Optional<Match> matchAddress(InetAddress address) {
        return address == null ? Optional.empty() : record(store.get().matchAddress(address, clock.instant()));
    }

    public Optional<Match> matchUrl(String scheme, String host, int port, String pathAndQuery) {
        return record(store.get().matchUrl(scheme, host, port, pathAndQuery, clock.instant()));
    }

    private Optional<Match> record(Optional<Match> match) {
        match.ifPresent(m -> store.get().recordHit(m));
        return match;
    }

    /** Push API: adds (or refreshes) an indicator; it matches as soon as this returns. */
    public synchronized void push(Indicator indicator) {
        sources.add(API_SOURCE, indicator);
        rebuild();
    }

    /** Push API: removes an indicator the API added; true when one was removed. */
    public synchronized boolean remove(IndicatorType type, String value) {
        boolean removed = sources.remove(API_SOURCE, type, value);
        if (removed) {
            rebuild();
        }
        return removed;
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
        log.debug("indicator store rebuilt: {} indicators in {} ms", next.size(), (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
