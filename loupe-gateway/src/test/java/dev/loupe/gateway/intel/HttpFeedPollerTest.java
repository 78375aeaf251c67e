package dev.loupe.gateway.intel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.Indicator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** An HTTP feed is fetched conditionally: an unchanged feed costs a 304 and keeps its indicators. */
class HttpFeedPollerTest {
    @Test
    void usesEtagAndKeepsTheListOnNotModifiedAndOnFailure() throws Exception {
        AtomicReference<String> body = new AtomicReference<>("bad-one.example\n");
        AtomicReference<String> etag = new AtomicReference<>("\"v1\"");
        AtomicInteger notModified = new AtomicInteger();
        AtomicInteger status = new AtomicInteger(200);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/feed.txt", ex -> {
            if (etag.get().equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                ex.sendResponseHeaders(304, -1);
            } else if (status.get() != 200) {
                ex.sendResponseHeaders(status.get(), -1);
            } else {
                byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("ETag", etag.get());
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
            }
            ex.close();
        });
        server.start();
        try {
            List<List<Indicator>> published = new ArrayList<>();
            var config = new IntelSourceConfig("feed", "http", "plain", null,
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/feed.txt"),
                    Duration.ofMinutes(1), null, null, null, null, null);
            FeedPoller poller = FeedPoller.of(config, Clock.systemUTC(), (name, list) -> published.add(list));

            poller.pollSafely();
            assertThat(published).hasSize(1);
            assertThat(published.get(0)).extracting(Indicator::value).containsExactly("bad-one.example");

            poller.pollSafely(); // unchanged: If-None-Match → 304, nothing republished
            assertThat(notModified.get()).isEqualTo(1);
            assertThat(published).hasSize(1);

            body.set("bad-one.example\nbad-two.example\n");
            etag.set("\"v2\"");
            poller.pollSafely();
            assertThat(published).hasSize(2);
            assertThat(published.get(1)).extracting(Indicator::value)
                    .containsExactlyInAnyOrder("bad-one.example", "bad-two.example");

            etag.set("\"v3\"");
            status.set(503); // an outage must not unblock what the feed listed
            poller.pollSafely();
            assertThat(published).hasSize(2);
        } finally {
            server.stop(0);
        }
    }
}
