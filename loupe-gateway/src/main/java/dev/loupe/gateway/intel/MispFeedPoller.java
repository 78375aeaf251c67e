package dev.loupe.gateway.intel;

import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.MispFeed;
import dev.loupe.core.intel.ParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A MISP feed, from a directory or an HTTP base URL holding {@code manifest.json} and one {@code <uuid>.json}
 * per event. Incremental: an event whose manifest timestamp has not changed is not fetched again; an event
 * gone from the manifest is dropped; events the filter refuses by their manifest entry are never fetched.
 * An event that cannot be fetched keeps its previous indicators (a feed outage must not unblock).
 */
final class MispFeedPoller extends FeedPoller {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MispFeedPoller.class);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final MispFeed.Filter filter;
    private final Map<String, Long> timestamps = new HashMap<>();
    private final Map<String, ParseResult> events = new LinkedHashMap<>();
    private String lastManifest;

    MispFeedPoller(IntelSourceConfig config, Clock clock, BiConsumer<String, List<Indicator>> publish) {
        super(config, clock, publish);
        this.filter = new MispFeed.Filter(config.misp().maxThreatLevelId(), Set.copyOf(config.misp().tags()));
    }

    @Override
    void poll() throws Exception {
        String manifestText = read("manifest.json");
        List<MispFeed.Entry> manifest = MispFeed.manifest(manifestText);
        boolean changed = !manifestText.equals(lastManifest);
        Map<String, ParseResult> next = new LinkedHashMap<>();
        int fetched = 0;
        int refused = 0;
        for (MispFeed.Entry entry : manifest) {
            if (!entry.uuid().matches("[0-9a-fA-F-]{36}")) {
                continue; // not an event uuid: never used to build a path or URL
            }
            if (filter.refuses(entry.threatLevel(), entry.tags()) != null) {
                refused++;
                continue;
            }
            ParseResult previous = events.get(entry.uuid());
            Long seen = timestamps.get(entry.uuid());
            if (previous != null && seen != null && seen == entry.timestamp()) {
                next.put(entry.uuid(), previous);
                continue;
            }
            try {
                next.put(entry.uuid(), MispFeed.event(read(entry.uuid() + ".json"), config.name(), clock.instant(),
                        filter));
                timestamps.put(entry.uuid(), entry.timestamp());
                fetched++;
                changed = true;
            } catch (Exception e) {
                if (previous != null) {
                    next.put(entry.uuid(), previous);
                }
                throw new IllegalStateException("MISP event " + entry.uuid() + ": " + e.getMessage(), e);
            }
        }
        changed |= !next.keySet().equals(events.keySet());
        events.clear();
        events.putAll(next);
        timestamps.keySet().retainAll(next.keySet());
        lastManifest = manifestText;
        if (changed) {
            ParseResult all = ParseResult.merge(next.values());
            if (refused > 0) {
                Map<String, Integer> skipped = new java.util.TreeMap<>(all.skipped());
                skipped.merge("event refused by its manifest entry (threat level or tags)", refused, Integer::sum);
                all = new ParseResult(all.indicators(), all.problems(), skipped);
            }
            publishParsed(all);
            log.info("MISP feed '{}': {} events in force, {} fetched this time", config.name(), next.size(), fetched);
        }
    }

    private String read(String name) throws Exception {
        if (config.type().equals("file")) {
            return Files.readString(config.path().resolve(name));
        }
        String base = config.url().toString();
        URI uri = URI.create(base.endsWith("/") ? base + name : base + "/" + name);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        if (config.tokenFile() != null) {
            request.header("Authorization", Files.readString(config.tokenFile()).strip());
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
        }
        return response.body();
    }

}
