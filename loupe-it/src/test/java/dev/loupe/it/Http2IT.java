package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 through Loupe with real clients and nginx: ALPN is chosen per connection (the origin is offered what
 * the client offered of h2 and http/1.1, the client then gets exactly what the origin chose), and h2 exchanges
 * are relayed stream by stream, byte-exact, logged one line per exchange.
 */
class Http2IT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        Files.write(origins.www.resolve("2m.bin"), Origins.random(2 * 1024 * 1024, 22));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, "");
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    private Curl.Result curl(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        all[0] = "-x";
        all[1] = loupe.proxy();
        all[2] = "--cacert";
        all[3] = loupe.caPem.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return Curl.run(dir, all);
    }

    private static String nginxLog() throws Exception {
        return Files.readString(origins.dir.resolve("nginx-access.log"));
    }

    @Test
    void anH2ClientAndAnH2OriginSpeakH2OnBothSidesByteExact() throws Exception {
        Path out = dir.resolve("2m.out");
        Curl.Result r = curl("--http2", "-w", "%{http_version}", "-o", out.toString(),
                origins.url(Site.H2, "/2m.bin?h2-both"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).as("the protocol curl spoke to Loupe").isEqualTo("2");
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("2m.bin")));
        assertThat(nginxLog()).contains("GET /2m.bin?h2-both HTTP/2.0");
        var records = loupe.awaitLog(n -> n.path("type").asText().equals("exchange")
                && n.path("url").asText().endsWith("/2m.bin?h2-both"));
        var exchange = records.stream().filter(n -> n.path("url").asText().endsWith("/2m.bin?h2-both")).findFirst()
                .orElseThrow();
        assertThat(exchange.path("status").asInt()).isEqualTo(200);
        assertThat(exchange.path("response_bytes").asLong()).isEqualTo(2 * 1024 * 1024);
        assertThat(exchange.path("protocol").asText()).isEqualTo("HTTP/2");
        var connection = loupe.awaitLog(n -> n.path("type").asText().equals("connection")
                && n.path("id").asText().equals(exchange.path("connection").asText())).stream()
                .filter(n -> n.path("type").asText().equals("connection")
                        && n.path("id").asText().equals(exchange.path("connection").asText())).findFirst().orElseThrow();
        assertThat(connection.path("client_tls").path("alpn").asText()).isEqualTo("h2");
        assertThat(connection.path("upstream_tls").path("alpn").asText()).isEqualTo("h2");
        assertThat(connection.path("close_reason").asText()).as("curl closed it, not the origin").isEqualTo("client closed");
    }

    @Test
    void anH2ClientOfAnHttp11OriginIsOfferedHttp11Only() throws Exception {
        Curl.Result r = curl("--http2", "-w", "\n%{http_version}", origins.url(Site.GOOD, "/index.html?h2-to-h1"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).contains(Origins.MARKER).endsWith("\n1.1");
        assertThat(nginxLog()).contains("GET /index.html?h2-to-h1 HTTP/1.1");
    }

    @Test
    void anHttp11ClientOfAnH2OriginGetsHttp11OnBothSides() throws Exception {
        Curl.Result r = curl("--http1.1", "-w", "\n%{http_version}", origins.url(Site.H2, "/index.html?h1-to-h2"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).contains(Origins.MARKER).endsWith("\n1.1");
        assertThat(nginxLog()).contains("GET /index.html?h1-to-h2 HTTP/1.1");
    }

    @Test
    void anH2RequestNamingAnotherAuthorityThanTheTunnelIsRefused() throws Exception {
        // the tunnel and the TLS name are upstream.test; the request's :authority says otherwise
        Curl.Result r = curl("--http2", "-w", "\n%{http_code}", "-H", "Host: other.example",
                origins.url(Site.H2, "/index.html?other-authority"));
        assertThat(r.text()).doesNotContain(Origins.MARKER).endsWith("\n400")
                .contains("Host 'other.example' does not name this connection's server upstream.test");
        assertThat(nginxLog()).doesNotContain("other-authority");
    }

    /** One raw h2 request through Loupe (python3-h2 with its own checks off); what came back. */
    private static String rawH2(String... headersAndData) throws Exception {
        Process p = rawH2Process(loupe, headersAndData);
        String out = new String(p.getInputStream().readAllBytes()).strip();
        Partners.finish(p);
        return out;
    }

    private static Process rawH2Process(GatewayUnderTest via, String... headersAndData) throws Exception {
        Path script = dir.resolve("h2_raw.py");
        if (!Files.exists(script)) {
            try (var in = Http2IT.class.getResourceAsStream("/h2_raw.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("/usr/bin/python3", script.toString(),
                "127.0.0.1", String.valueOf(via.port), Origins.HOST, String.valueOf(origins.ports.get(Site.H2)),
                via.caPem.toString()));
        cmd.addAll(java.util.List.of(headersAndData));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void aGatewayThatShutsDownSaysGoawayOnItsOpenHttp2Connections() throws Exception {
        GatewayUnderTest own = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe-goaway")), origins, "");
        Process client = null;
        boolean closed = false;
        try {
            client = rawH2Process(own, "--linger");
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream()));
            assertThat(out.readLine()).isEqualTo("status 200"); // the connection is up and idle now
            own.close();
            closed = true;
            // NO_ERROR: a clean shutdown, not a protocol error, and not a silently dropped socket ("closed")
            assertThat(out.readLine()).isEqualTo("goaway 0");
        } finally {
            if (!closed) {
                own.close();
            }
            if (client != null) {
                Partners.finish(client);
            }
        }
    }

    @Test
    void aDrainingGatewaySaysGoawayWhenItStopsAcceptingAndExitsWithoutWaitingForTheTimeout() throws Exception {
        GatewayUnderTest own = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe-drain-h2")), origins,
                "shutdown: {drain-timeout: 30s}\n");
        Process client = null;
        try {
            client = rawH2Process(own, "--linger");
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream()));
            assertThat(out.readLine()).isEqualTo("status 200"); // up and idle
            long started = System.nanoTime();
            var drained = own.gateway.drain("test");
            assertThat(out.readLine()).as("GOAWAY (NO_ERROR) at once, not at the drain timeout").isEqualTo("goaway 0");
            drained.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);
        } finally {
            own.close();
            if (client != null) {
                Partners.finish(client);
            }
        }
    }

    @Test
    void requestsRfc9113ForbidsNeverReachTheOrigin() throws Exception {
        long earlier = nginxLog().lines().count(); // lines of the other tests, which share this origin
        assertThat(rawH2("x-probe=control")).as("a valid request through the same path").isEqualTo("status 200");
        // connection-specific headers, a TE other than trailers, a content-length the DATA contradicts
        String[][] forbidden = {
            {"connection=keep-alive"},
            {"transfer-encoding=chunked", "--data", "hello"},
            {"te=gzip"},
            {"upgrade=websocket"},
            // CR, LF and NUL in a value (escaped here, sent raw by the script)
            {"x-split=a\\r\\ninjected: 1"},
            {"x-nul=a\\x00b"},
        };
        for (String[] vector : forbidden) {
            String answer = rawH2(vector);
            assertThat(answer).as(String.join(" ", vector)).isEqualTo("reset 1"); // PROTOCOL_ERROR, from Loupe
        }
        assertThat(rawH2("content-length=2", "--data", "hello")).as("content-length 2, 5 bytes of DATA")
                .isEqualTo("reset 8");
        var reached = nginxLog().lines().skip(earlier)
                .filter(l -> l.contains("GET /index.html") || l.contains("POST /index.html"))
                .filter(l -> !l.contains("HTTP/1.1")).toList();
        // the heads with forbidden headers never left Loupe; a content-length that the DATA contradicts shows only
        // when the DATA comes, after the head went out: that stream is reset upstream too, its body never sent
        assertThat(reached).as("what reached nginx over h2").hasSize(2)
                .anyMatch(l -> l.contains("\"GET /index.html HTTP/2.0\" 200"))
                .anyMatch(l -> l.contains("\"POST /index.html HTTP/2.0\""));
    }

    @Test
    void manyStreamsShareOneConnectionEachByteExact() throws Exception {
        // curl pairs each -o with the next URL: interleave them
        String[] withUrls = new String[4 + 3 * 20];
        int k = 0;
        withUrls[k++] = "--http2";
        withUrls[k++] = "--parallel";
        withUrls[k++] = "--parallel-max";
        withUrls[k++] = "20";
        for (int n = 0; n < 20; n++) {
            withUrls[k++] = "-o";
            withUrls[k++] = dir.resolve("par-" + n + ".out").toString();
            withUrls[k++] = origins.url(Site.H2, "/2m.bin?parallel=" + n);
        }
        Curl.Result r = curl(withUrls);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String expected = Origins.sha256(origins.www.resolve("2m.bin"));
        for (int n = 0; n < 20; n++) {
            assertThat(Origins.sha256(dir.resolve("par-" + n + ".out"))).as("stream " + n).isEqualTo(expected);
        }
        long h2Lines = nginxLog().lines().filter(l -> l.contains("?parallel=") && l.contains("HTTP/2.0")).count();
        assertThat(h2Lines).isEqualTo(20);
        var records = loupe.awaitLog(n -> n.path("type").asText().equals("connection")
                && n.path("target").asText().endsWith(":" + origins.ports.get(Site.H2)));
        assertThat(records).isNotEmpty();
    }

    @Test
    void nghttpRunsAHundredConcurrentStreamsOnOneConnection() throws Exception {
        Partners.require("nghttp");
        Files.write(origins.www.resolve("64k.bin"), Origins.random(64 * 1024, 64));
        String target = Origins.HOST + ":" + origins.ports.get(Site.H2);
        try (ConnectForwarder forwarder = new ConnectForwarder(loupe.port, target)) {
            // nghttp cannot use a proxy: it talks TLS (to Loupe, through the tunnel) on the forwarder's port; the
            // :authority names the tunnel's server, as a browser's would
            Process p = new ProcessBuilder("nghttp", "-n", "-s", "-m", "100", "-H", ":authority: " + target,
                    "https://127.0.0.1:" + forwarder.port() + "/64k.bin?nghttp")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(Partners.finish(p)).as(out).isZero();
            // nghttp's own statistics: one line per stream with its status... and all 100 were answered 200
            assertThat(out.lines().filter(l -> l.contains("/64k.bin?nghttp")).count()).as(out).isEqualTo(100);
        }
        var exchanges = loupe.awaitLog(n -> n.path("type").asText().equals("exchange")
                && n.path("url").asText().endsWith("/64k.bin?nghttp")).stream()
                .filter(n -> n.path("url").asText().endsWith("/64k.bin?nghttp")).toList();
        assertThat(exchanges).hasSize(100).allSatisfy(e -> {
            assertThat(e.path("status").asInt()).isEqualTo(200);
            assertThat(e.path("response_bytes").asLong()).isEqualTo(64 * 1024);
            assertThat(e.path("protocol").asText()).isEqualTo("HTTP/2");
        });
        assertThat(exchanges.stream().map(e -> e.path("connection").asText()).distinct())
                .as("all on one client connection").hasSize(1);
        var nginx = nginxLog().lines().filter(l -> l.contains("/64k.bin?nghttp")).toList();
        assertThat(nginx).hasSize(100).allMatch(l -> l.contains("HTTP/2.0\" 200 65536"));
    }

    @Test
    void websocketOverH2IsNotAnnouncedAndAnExtendedConnectIsRefused() throws Exception {
        // RFC 8441: without SETTINGS_ENABLE_CONNECT_PROTOCOL a client opens WebSocket over HTTP/1.1 instead
        String answer = rawH2("--websocket");
        assertThat(answer.lines().findFirst().orElseThrow()).isEqualTo("connect-protocol 0");
        assertThat(answer.lines().skip(1).findFirst().orElseThrow()).as(answer).matches("reset \\d+|status 4\\d\\d");
        assertThat(nginxLog()).doesNotContain("/ws ");
    }
}
