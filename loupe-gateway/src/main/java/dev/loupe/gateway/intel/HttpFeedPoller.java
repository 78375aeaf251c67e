package dev.loupe.gateway.intel;

import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.Indicator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A list pulled over HTTP(S). Conditional requests (ETag / If-Modified-Since) make an unchanged feed
 * cost one 304; the JDK client validates the server certificate against the JDK's roots.
 */
final class HttpFeedPoller extends FeedPoller {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private String etag;
    private String lastModified;

    HttpFeedPoller(IntelSourceConfig config, Clock clock, BiConsumer<String, List<Indicator>> publish) {
        super(config, clock, publish);
    }

    @Override
    void poll() throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.url()).timeout(Duration.ofSeconds(60)).GET();
        if (etag != null) {
            request.header("If-None-Match", etag);
        }
        if (lastModified != null) {
            request.header("If-Modified-Since", lastModified);
        }
        if (config.tokenFile() != null) {
            request.header("Authorization", "Bearer " + Files.readString(config.tokenFile()).strip());
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 304) {
            return;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + config.url() + " answered " + response.statusCode());
        }
        publishText(response.body());
        etag = response.headers().firstValue("ETag").orElse(null);
        lastModified = response.headers().firstValue("Last-Modified").orElse(null);
    }
}
