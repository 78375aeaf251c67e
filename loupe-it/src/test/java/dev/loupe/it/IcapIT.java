package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.it.Origins.Site;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ICAP end to end with the real partner: c-icap's virus_scan service backed by ClamAV (local signatures),
 * as REQMOD for uploads and RESPMOD for downloads, over decrypted HTTPS and plain HTTP.
 */
class IcapIT {
    @TempDir
    static Path dir;
    static IcapServers icap;
    static HttpServer echo;
    static Origins origins;
    static GatewayUnderTest loupe;
    static byte[] infectedAfterPreview;
    static byte[] streamed;
    static final java.util.concurrent.CountDownLatch clientGotSome = new java.util.concurrent.CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 1);
        echo = EchoOrigin.start();
        // a response of undeclared length (chunked), larger than the "small" service takes
        streamed = Origins.random(3 * 1024 * 1024, 33);
        echo.createContext("/held-back", exchange -> {
            // half the body, then wait until the client has some of it: only a gateway that stops holding
            // an over-limit body lets that happen
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                out.write(streamed, 0, streamed.length / 2);
                out.flush();
                clientGotSome.await(20, java.util.concurrent.TimeUnit.SECONDS);
                out.write(streamed, streamed.length / 2, streamed.length - streamed.length / 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        echo.createContext("/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                for (int off = 0; off < streamed.length; off += 64 * 1024) {
                    out.write(streamed, off, Math.min(64 * 1024, streamed.length - off));
                }
            }
        });
        origins = Origins.start(dir.resolve("origins"),
                "location /upload { proxy_pass http://127.0.0.1:" + echo.getAddress().getPort()
                + "; client_max_body_size 0; }");
        Files.writeString(origins.www.resolve("eicar.com"), IcapServers.EICAR);
        Files.writeString(origins.www.resolve("clean.txt"), "nothing to see here\n");
        // the signature comes long after the 1024-byte preview: the verdict needs the whole body
        // (text, so that c-icap's file-type check in the preview sends it on to be scanned)
        byte[] padding = "All work and no play makes a dull scan.\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        infectedAfterPreview = new byte[padding.length + IcapServers.EICAR.length()];
        System.arraycopy(padding, 0, infectedAfterPreview, 0, padding.length);
        System.arraycopy(IcapServers.EICAR.getBytes(StandardCharsets.US_ASCII), 0, infectedAfterPreview,
                padding.length, IcapServers.EICAR.length());
        Files.write(origins.www.resolve("late.bin"), infectedAfterPreview);
        Files.write(origins.www.resolve("50m.bin"), Origins.random(50 * 1024 * 1024, 50));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                icap:
                  spool-memory-bytes: 262144
                  services:
                    - name: urls
                      mode: reqmod
                      servers: [%2$s]
                    - name: upload-av
                      mode: reqmod
                      servers: [%1$s]
                      methods: [POST, PUT]
                    - name: av
                      mode: respmod
                      servers: [%1$s]
                      hosts: [.test]
                    - name: small
                      mode: respmod
                      servers: [%1$s]
                      hosts: [127.0.0.1]
                      max-body-bytes: 1048576
                """.formatted(icap.uri(0), icap.urlCheckUri(0)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (loupe != null) {
            loupe.close();
        }
        if (origins != null) {
            origins.close();
        }
        if (echo != null) {
            echo.stop(0);
        }
        if (icap != null) {
            icap.close();
        }
    }

    private Curl.Result https(String path, String... extra) throws Exception {
        return curl(origins.url(Site.GOOD, path), extra);
    }

    private Curl.Result curl(String url, String... extra) throws Exception {
        String[] args = new String[extra.length + 7];
        args[0] = "-x";
        args[1] = loupe.proxy();
        args[2] = "--cacert";
        args[3] = loupe.caPem.toString();
        args[4] = "-w";
        args[5] = "\n%{http_code}";
        System.arraycopy(extra, 0, args, 6, extra.length);
        args[args.length - 1] = url;
        return Curl.run(dir, args);
    }

    /** Splits curl's output into the body and the status code appended by {@code -w}. */
    private static int status(Curl.Result r) {
        String text = r.text();
        return Integer.parseInt(text.substring(text.lastIndexOf('\n') + 1).strip());
    }

    private static String body(Curl.Result r) {
        String text = r.text();
        return text.substring(0, text.lastIndexOf('\n'));
    }

    @Test
    void eicarOverHttpsIsReplacedByTheAntivirusPage() throws Exception {
        Curl.Result r = https("/eicar.com");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(status(r)).isEqualTo(403);
        assertThat(body(r)).contains("VIRUS FOUND").contains(IcapServers.THREAT)
                .as("the service was told the original scheme and host")
                .contains("https://" + Origins.HOST + ":" + origins.ports.get(Site.GOOD) + "/eicar.com")
                .doesNotContain("EICAR-STANDARD-ANTIVIRUS-TEST-FILE");
        JsonNode record = exchangeFor("/eicar.com");
        assertThat(record.get("status").asInt()).isEqualTo(403);
        JsonNode av = icapResult(record, "av");
        assertThat(av.get("result").asText()).isEqualTo("blocked");
        assertThat(av.get("reason").asText()).isEqualTo(IcapServers.THREAT);
        assertThat(av.get("server").asText()).isEqualTo("127.0.0.1:" + icap.ports.get(0) + "/avscan");
        assertThat(icapResult(record, "upload-av").get("result").asText()).isEqualTo("not-scanned");
    }

    @Test
    void eicarOverHttp2IsReplacedByTheAntivirusPageToo() throws Exception {
        // the same RESPMOD service, on an exchange that is HTTP/2 on both sides (nginx with http2)
        Curl.Result r = curl(origins.url(Site.H2, "/eicar.com?over-h2"), "--http2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(status(r)).isEqualTo(403);
        assertThat(body(r)).contains("VIRUS FOUND").contains(IcapServers.THREAT)
                .doesNotContain("EICAR-STANDARD-ANTIVIRUS-TEST-FILE");
        JsonNode record = exchangeFor("/eicar.com?over-h2");
        assertThat(record.get("protocol").asText()).isEqualTo("HTTP/2");
        assertThat(icapResult(record, "av").get("result").asText()).isEqualTo("blocked");
        assertThat(Files.readString(origins.dir.resolve("nginx-access.log")))
                .contains("GET /eicar.com?over-h2 HTTP/2.0");
        // and a clean file over h2 arrives unmodified
        Curl.Result clean = curl(origins.url(Site.H2, "/clean.txt?over-h2"), "--http2");
        assertThat(status(clean)).isEqualTo(200);
        assertThat(body(clean)).isEqualTo("nothing to see here\n");
    }

    @Test
    void aSignatureBeyondThePreviewIsFoundToo() throws Exception {
        Curl.Result r = https("/late.bin");
        assertThat(status(r)).isEqualTo(403);
        assertThat(body(r)).contains("VIRUS FOUND");
    }

    @Test
    void cleanFilesArriveByteExact() throws Exception {
        for (String file : new String[] {"clean.txt", "1k.bin", "300k.bin", "50m.bin"}) {
            Path out = dir.resolve("out-" + file);
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-o",
                    out.toString(), "-w", "%{http_code}", origins.url(Site.GOOD, "/" + file));
            assertThat(r.exitCode()).as(file + ": " + r.stderr()).isZero();
            assertThat(r.text()).as(file).isEqualTo("200");
            assertThat(Origins.sha256(out)).as(file).isEqualTo(Origins.sha256(origins.www.resolve(file)));
            assertThat(icapResult(exchangeFor("/" + file), "av").get("result").asText()).as(file)
                    .isEqualTo("unmodified");
        }
    }

    @Test
    void anUploadCarryingEicarIsBlockedAndACleanOneArrivesIntact() throws Exception {
        Path eicar = dir.resolve("upload-eicar.com");
        Files.writeString(eicar, IcapServers.EICAR);
        Curl.Result blocked = https("/upload/eicar", "--data-binary", "@" + eicar);
        assertThat(status(blocked)).isEqualTo(403);
        assertThat(body(blocked)).contains("VIRUS FOUND");
        JsonNode record = exchangeFor("/upload/eicar");
        assertThat(icapResult(record, "upload-av").get("result").asText()).isEqualTo("blocked");

        byte[] clean = Origins.random(2 * 1024 * 1024, 11);
        Path cleanFile = dir.resolve("upload-clean.bin");
        Files.write(cleanFile, clean);
        Curl.Result passed = https("/upload/clean", "--data-binary", "@" + cleanFile,
                "-H", "Content-Type: application/octet-stream", "-v", "--expect100-timeout", "30");
        assertThat(status(passed)).as(passed.stderr()).isEqualTo(200);
        assertThat(passed.stderr()).as("Loupe invites the body it must hold for scanning")
                .contains("Expect: 100-continue").contains("< HTTP/1.1 100 Continue");
        assertThat(body(passed)).startsWith("POST " + clean.length + " " + EchoOrigin.sha256(clean));
        assertThat(icapResult(exchangeFor("/upload/clean"), "upload-av").get("result").asText())
                .isEqualTo("unmodified");
        // every request that reaches the origin passes its nginx: the clean upload did, the infected never
        String originSaw = Files.readString(origins.dir.resolve("nginx-access.log"));
        assertThat(originSaw).contains("POST /upload/clean ").doesNotContain("/upload/eicar");
    }

    @Test
    void cIcapIsToldTheClientAndServerAddresses() throws Exception {
        Curl.Result r = Curl.run(dir, "--interface", "127.0.0.5", "-x", loupe.proxy(), "--cacert",
                loupe.caPem.toString(), "-o", "/dev/null", origins.url(Site.GOOD, "/clean.txt?addresses"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        long deadline = System.currentTimeMillis() + 10_000;
        while (icap.accessLog(0).stream().noneMatch(l -> l.contains("client=127.0.0.5"))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        // X-Client-IP is the client's own address; X-Server-IP the origin's
        assertThat(icap.accessLog(0)).anySatisfy(l -> assertThat(l).contains("RESPMOD").contains("client=127.0.0.5")
                .contains("server=127.0.0.1"));
    }

    @Test
    void servicesRunInOrderAndAUrlFilterAnswerEndsTheChain() throws Exception {
        String blocked = "https://" + IcapServers.BLOCKED_HOST + ":" + origins.ports.get(Site.GOOD) + "/index.html";
        Curl.Result r = curl(blocked);
        assertThat(status(r)).isEqualTo(403);
        assertThat(body(r)).doesNotContain(Origins.MARKER);
        JsonNode record = exchangeFor(IcapServers.BLOCKED_HOST + ":" + origins.ports.get(Site.GOOD) + "/index.html");
        assertThat(icapResult(record, "urls").get("result").asText()).isEqualTo("blocked");
        assertThat(icapResult(record, "urls").get("reason").asText()).contains("blockhosts");
        assertThat(record.path("icap").findValuesAsText("service")).as("the chain ended there: " + record)
                .containsExactly("urls");

        Path eicar = dir.resolve("chain-eicar.com");
        Files.writeString(eicar, IcapServers.EICAR);
        Curl.Result upload = https("/upload/chain", "--data-binary", "@" + eicar);
        assertThat(status(upload)).isEqualTo(403);
        JsonNode chain = exchangeFor("/upload/chain");
        assertThat(chain.path("icap").findValuesAsText("service")).containsExactly("urls", "upload-av");
        assertThat(chain.path("icap").findValuesAsText("result")).containsExactly("unmodified", "blocked");
    }

    @Test
    void plainHttpIsScannedTheSameWay() throws Exception {
        String base = "http://" + Origins.HOST + ":" + origins.plainPort;
        Curl.Result infected = curl(base + "/eicar.com");
        assertThat(status(infected)).isEqualTo(403);
        assertThat(body(infected)).contains("VIRUS FOUND").contains(base + "/eicar.com");
        Path out = dir.resolve("plain-300k.bin");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-o", out.toString(), base + "/300k.bin");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
        byte[] upload = IcapServers.EICAR.getBytes(StandardCharsets.US_ASCII);
        Path file = dir.resolve("plain-upload.com");
        Files.write(file, upload);
        Curl.Result post = curl(base + "/upload/x", "--data-binary", "@" + file);
        assertThat(status(post)).isEqualTo(403);
    }

    @Test
    void aBodyOfUndeclaredLengthOverEveryLimitStreamsThroughUnscanned() throws Exception {
        Path out = dir.resolve("streamed.out");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-o", out.toString(), "-w", "%{http_code}",
                "http://127.0.0.1:" + echo.getAddress().getPort() + "/stream");
        assertThat(r.text()).as(r.stderr()).isEqualTo("200");
        assertThat(Files.readAllBytes(out)).isEqualTo(streamed);
        JsonNode small = icapResult(exchangeFor("/stream"), "small");
        assertThat(small.get("result").asText()).isEqualTo("not-scanned");
        assertThat(small.get("reason").asText()).contains("max-body-bytes");
    }

    @Test
    void onceOverEveryLimitTheHeldStartIsSentWithoutWaitingForTheRest() throws Exception {
        var proxy = new java.net.Proxy(java.net.Proxy.Type.HTTP, new java.net.InetSocketAddress("127.0.0.1", loupe.port));
        var connection = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + echo.getAddress().getPort()
                + "/held-back").toURL().openConnection(proxy);
        connection.setReadTimeout(15_000);
        try (var in = connection.getInputStream()) {
            byte[] first = in.readNBytes(streamed.length / 4); // arrives while the origin still holds the rest
            clientGotSome.countDown();
            byte[] rest = in.readAllBytes();
            byte[] all = new byte[first.length + rest.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(rest, 0, all, first.length, rest.length);
            assertThat(all).isEqualTo(streamed);
        } finally {
            clientGotSome.countDown();
        }
    }

    @Test
    void perServerCountersAreExported() throws Exception {
        https("/clean.txt");
        String metrics = loupe.metrics();
        String server = "127.0.0.1:" + icap.ports.get(0) + "/avscan";
        assertThat(metrics).contains("loupe_icap_requests_total{server=\"" + server + "\",service=\"av\"}")
                .contains("loupe_icap_server_up{server=\"" + server + "\",service=\"av\"} 1")
                .contains("loupe_icap_latency_seconds_count{server=\"" + server + "\",service=\"av\"}")
                .contains("loupe_icap_results_total{result=\"unmodified\",service=\"av\"}");
    }

    private static JsonNode exchangeFor(String path) throws Exception {
        java.util.List<JsonNode> records = loupe.awaitLog(r -> "exchange".equals(r.path("type").asText())
                && r.path("url").asText().endsWith(path));
        JsonNode found = null;
        for (JsonNode r : records) {
            if ("exchange".equals(r.path("type").asText()) && r.path("url").asText().endsWith(path)) {
                found = r;
            }
        }
        return found;
    }

    private static JsonNode icapResult(JsonNode record, String service) {
        for (JsonNode r : record.path("icap")) {
            if (service.equals(r.path("service").asText())) {
                return r;
            }
        }
        throw new AssertionError("no ICAP result for " + service + " in " + record);
    }
}
