package dev.loupe.gateway.intel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.StixBundleParser;
import dev.loupe.core.intel.TaxiiEnvelope;
import dev.loupe.core.intel.TaxiiPage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Polls a TAXII 2.1 collection: the first poll fetches everything (following {@code next} while
 * {@code more}), later polls only objects added after the last one seen. Objects are kept by STIX id
 * (a newer version replaces an older one, so a revocation takes effect) and re-parsed as a whole.
 */
final class TaxiiFeedPoller extends FeedPoller {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, JsonNode> objects = new LinkedHashMap<>();
    private String addedAfter;

    TaxiiFeedPoller(IntelSourceConfig config, Clock clock, BiConsumer<String, List<Indicator>> publish) {
        super(config, clock, publish);
    }

    @Override
    void poll() throws Exception {
        String next = null;
        String newestAdded = addedAfter;
        int pages = 0;
        do {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(TaxiiEnvelope.objectsPath(config.url().toString(), addedAfter, next)))
                    .timeout(Duration.ofSeconds(60)).header("Accept", TaxiiEnvelope.MEDIA_TYPE).GET();
            if (config.tokenFile() != null) {
                request.header("Authorization", "Bearer " + Files.readString(config.tokenFile()).strip());
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("TAXII GET answered " + response.statusCode());
            }
            TaxiiPage page = TaxiiEnvelope.parse(response.body());
            for (JsonNode object : page.objects()) {
                objects.put(object.path("id").asText(String.valueOf(objects.size())), object);
            }
            newestAdded = response.headers().firstValue("X-TAXII-Date-Added-Last").orElse(newestAdded);
            next = page.more() ? page.next() : null;
        } while (next != null && ++pages < 1000);
        addedAfter = newestAdded;
        publishParsed(StixBundleParser.parseObjects(new ArrayList<>(objects.values()), config.name(), clock.instant()));
    }
}
