package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TAXII 2.1 collection that really pages (one object per page, {@code more}/{@code next}) and honours
 * {@code added_after} with the {@code X-TAXII-Date-Added-Last} header, as TAXII servers (OpenTAXII, Medallion)
 * do: Loupe follows every page, then asks only for what was added since, and blocks all of it without a restart.
 */
class TaxiiPagingIT {
    @TempDir
    Path dir;

    record Entry(Instant added, String json) {
    }

    @Test
    void everyPageIsFollowedAndLaterPollsAskOnlyForWhatIsNew() throws Exception {
        List<Entry> collection = new CopyOnWriteArrayList<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 1; i <= 3; i++) {
            collection.add(new Entry(t0.plusSeconds(i), indicator("page" + i + ".test")));
        }
        List<String> queries = new CopyOnWriteArrayList<>();
        HttpServer taxii = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        taxii.createContext("/api/collections/c1/objects/", exchange -> {
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            queries.add(q.toString());
            Instant after = q.containsKey("added_after") ? Instant.parse(q.get("added_after")) : Instant.EPOCH;
            List<Entry> fresh = collection.stream().filter(e -> e.added().isAfter(after)).toList();
            int from = q.containsKey("next") ? Integer.parseInt(q.get("next")) : 0;
            List<Entry> page = fresh.subList(Math.min(from, fresh.size()), Math.min(from + 1, fresh.size()));
            boolean more = from + 1 < fresh.size();
            StringBuilder body = new StringBuilder("{\"more\": " + more + (more ? ", \"next\": \"" + (from + 1) + "\"" : "")
                    + ", \"objects\": [");
            for (int i = 0; i < page.size(); i++) {
                body.append(i > 0 ? "," : "").append(page.get(i).json());
            }
            byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/taxii+json;version=2.1");
            if (!page.isEmpty()) {
                exchange.getResponseHeaders().set("X-TAXII-Date-Added-First", page.get(0).added().toString());
                exchange.getResponseHeaders().set("X-TAXII-Date-Added-Last", page.get(page.size() - 1).added().toString());
            }
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        taxii.start();
        try (Origins origins = Origins.start(dir.resolve("origins"));
             GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                     intel:
                       sources:
                         - {name: paged-taxii, type: taxii, url: "http://127.0.0.1:%d/api/collections/c1/", interval: 1s}
                     """.formatted(taxii.getAddress().getPort()))) {
            for (int i = 1; i <= 3; i++) {
                awaitBlocked(loupe, "page" + i + ".test");
            }
            assertThat(queries.subList(0, 3)).as("the first poll: every page").containsExactly("{}", "{next=1}", "{next=2}");
            collection.add(new Entry(t0.plusSeconds(10), indicator("later.test")));
            awaitBlocked(loupe, "later.test");
            assertThat(queries).as("later polls ask only for what was added since the newest seen")
                    .contains("{added_after=" + t0.plusSeconds(3) + "}");
            awaitBlocked(loupe, "page1.test"); // what earlier polls brought stays in force
        } finally {
            taxii.stop(0);
        }
    }

    private static void awaitBlocked(GatewayUnderTest loupe, String host) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        String answer = RawProxyClient.connect(loupe.port, host + ":443");
        while (!answer.startsWith("HTTP/1.1 403") && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            answer = RawProxyClient.connect(loupe.port, host + ":443");
        }
        assertThat(answer).as(host).startsWith("HTTP/1.1 403").contains("paged-taxii");
    }

    private static String indicator(String domain) {
        String now = Instant.now().toString();
        return """
                {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s", "created": "%s", "modified": "%s",
                 "valid_from": "%s", "pattern_type": "stix", "pattern": "[domain-name:value = '%s']", "confidence": 85}
                """.formatted(java.util.UUID.randomUUID(), now, now, now, domain);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new java.util.TreeMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }
}
