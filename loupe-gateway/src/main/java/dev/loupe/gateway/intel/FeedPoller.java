package dev.loupe.gateway.intel;

import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.CsvIndicatorParser;
import dev.loupe.core.intel.HostsFileParser;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.ParseResult;
import dev.loupe.core.intel.PlainListParser;
import dev.loupe.core.intel.RpzZoneParser;
import dev.loupe.core.intel.StixBundleParser;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes one source. Subclasses fetch text (a file, an HTTP URL, a TAXII collection); this class
 * parses it by format, reports malformed entries (with line numbers) and hands the whole list on.
 * A failed refresh keeps the previous list: a feed outage must not unblock what it listed.
 */
abstract class FeedPoller {
    private static final Logger log = LoggerFactory.getLogger(FeedPoller.class);

    final IntelSourceConfig config;
    final Clock clock;
    private final BiConsumer<String, List<Indicator>> publish;
    private volatile SourceStatus status;

    FeedPoller(IntelSourceConfig config, Clock clock, BiConsumer<String, List<Indicator>> publish) {
        this.config = config;
        this.clock = clock;
        this.publish = publish;
        this.status = SourceStatus.never(config.name(), config.type(), config.format());
    }

    SourceStatus status() {
        return status;
    }

    static FeedPoller of(IntelSourceConfig config, Clock clock, BiConsumer<String, List<Indicator>> publish) {
        if (config.format().equals("misp")) {
            return new MispFeedPoller(config, clock, publish);
        }
        return switch (config.type()) {
            case "file" -> new FileFeedPoller(config, clock, publish);
            case "http" -> new HttpFeedPoller(config, clock, publish);
            case "taxii" -> new TaxiiFeedPoller(config, clock, publish);
            default -> throw new IllegalArgumentException("unknown intel source type " + config.type());
        };
    }

    /** Runs one refresh; never throws (it runs on a scheduler that would stop repeating it). */
    final void pollSafely() {
        try {
            poll();
            SourceStatus s = status;
            status = new SourceStatus(s.name(), s.type(), s.format(), s.lastLoad(), clock.instant(), s.indicators(),
                    s.malformed(), s.skipped(), null);
        } catch (Exception e) {
            log.warn("intel source '{}' refresh failed, keeping its previous indicators: {}", config.name(), e.toString());
            SourceStatus s = status;
            status = new SourceStatus(s.name(), s.type(), s.format(), s.lastLoad(), clock.instant(), s.indicators(),
                    s.malformed(), s.skipped(), e.toString());
        }
    }

    abstract void poll() throws Exception;

    /** Parses {@code text} in the source's format and publishes the result. */
    final void publishText(String text) {
        Instant now = clock.instant();
        ParseResult result = switch (config.format()) {
            case "plain" -> PlainListParser.parse(text, config.name(), now);
            case "csv" -> CsvIndicatorParser.parse(text, config.name(), now, config.columns(), config.types());
            case "stix1" -> dev.loupe.core.intel.Stix1Parser.parse(text, config.name(), now);
            case "urlhaus" -> dev.loupe.core.intel.AbuseChParser.urlhaus(text, config.name(), now);
            case "threatfox" -> dev.loupe.core.intel.AbuseChParser.threatFox(text, config.name(), now);
            case "hosts" -> HostsFileParser.parse(text, config.name(), now);
            case "rpz" -> RpzZoneParser.parse(text, config.name(), now);
            case "stix" -> StixBundleParser.parse(text, config.name(), now);
            default -> throw new IllegalStateException("format " + config.format());
        };
        publishParsed(result);
    }

    final void publishParsed(ParseResult result) {
        if (!result.problems().isEmpty()) {
            log.warn("intel source '{}': {} malformed entries skipped, first: {}", config.name(),
                    result.problems().size(), result.problems().subList(0, Math.min(3, result.problems().size())));
        }
        if (!result.skipped().isEmpty()) {
            log.info("intel source '{}': skipped {}", config.name(), result.skipped());
        }
        publish.accept(config.name(), result.indicators());
        status = new SourceStatus(config.name(), config.type(), config.format(), clock.instant(), clock.instant(),
                result.indicators().size(), result.problems().size(), result.skipped(), null);
        log.info("intel source '{}': {} indicators loaded", config.name(), result.indicators().size());
    }
}
