package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 6 of issue 11: every vector of the smuggling corpus ({@code smuggling/corpus.tsv}, built from public
 * suites) is written inside a decrypted tunnel, and a strict origin (nginx) must see only requests Loupe itself
 * framed and logged as forwarded, each with the tunnel's target as Host. A vector is then either refused (the
 * origin saw nothing of it) or normalised (the origin saw what Loupe logged).
 *
 * <p>Each vector gets its own host name ({@code vNNN.smug.tst}, the length the corpus's lengths assume), so
 * the origin's log (by the SNI Loupe sent) and Loupe's log (by connection) can be matched per vector while
 * the vectors run in parallel.
 */
class SmugglingCorpusIT {
    private static final List<String> CONTROLS = List.of("cl-baseline-valid", "chunk-baseline-valid", "chunk-ext-valid");

    @TempDir
    Path dir;

    record Vector(int index, String name, byte[] request) {
        String host() {
            return "v%03d.smug.tst".formatted(index);
        }
    }

    @Test
    void everyVectorIsRefusedOrNormalisedSoTheOriginSeesOnlyWhatLoupeLogged() throws Exception {
        // nginx workers run unprivileged: they must reach the certificate (the temporary directory only, never /tmp)
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = fourDigitPort();
        List<Vector> vectors = load(port);
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(150);

        TestCertificates.Issued ca = TestCertificates.ca("Smuggling Origin CA");
        Path caPem = dir.resolve("origin-ca.pem");
        TestCertificates.write(caPem, ca.certificate());
        Instant now = Instant.now();
        TestCertificates.leaf(ca, "smug.tst", now.minusSeconds(3600), now.plusSeconds(86_400), "*.smug.tst")
                .writePem(dir.resolve("leaf.crt"), dir.resolve("leaf.key"));
        StringBuilder hosts = new StringBuilder("127.0.0.1");
        vectors.forEach(v -> hosts.append(' ').append(v.host()));
        Path hostsFile = Files.writeString(dir.resolve("hosts"), hosts + "\n");
        Process nginx = startNginx(port);
        try (GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), caPem,
                hostsFile, "", "")) {
            Partners.awaitPort(port, 5_000);
            SSLContext tls = TestCertificates.trusting(loupe.caPem);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            Map<String, Future<String>> answers = new HashMap<>();
            for (Vector v : vectors) {
                answers.put(v.name(), pool.submit(() -> send(loupe.port, tls, v, port)));
            }
            pool.shutdown();
            for (var f : answers.values()) {
                f.get();
            }
            Thread.sleep(1_000); // both logs are written after the exchanges end
            List<String> failures = new ArrayList<>();
            Map<String, List<String>> origin = originRequests(port, failures);
            Map<String, List<String>> forwarded = forwardedByLoupe(loupe.readLog());
            int refused = 0;
            int normalised = 0;
            for (Vector v : vectors) {
                List<String> seen = origin.getOrDefault(v.host(), List.of());
                List<String> logged = new ArrayList<>(forwarded.getOrDefault(v.host(), List.of()));
                for (String request : seen) {
                    if (!logged.remove(request)) {
                        failures.add(v.name() + ": the origin saw '" + request + "' that Loupe did not log as forwarded"
                                + " (Loupe: " + forwarded.get(v.host()) + ", origin: " + seen + ")");
                    }
                }
                if (CONTROLS.contains(v.name()) && (seen.isEmpty() || seen.stream().anyMatch(r -> r.contains("/smuggled")))) {
                    failures.add(v.name() + ": a valid control must reach the origin as one request, got " + seen);
                }
                if (seen.isEmpty()) {
                    refused++;
                } else {
                    normalised++;
                }
            }
            String summary = "smuggling corpus: %d vectors, %d refused, %d normalised".formatted(vectors.size(), refused,
                    normalised);
            System.out.println(summary);
            Files.writeString(Path.of("target", "smuggling-corpus-summary.txt"), summary + "\n");
            assertThat(failures).as(summary).isEmpty();
            assertThat(refused).as("most vectors are refused outright").isGreaterThan(vectors.size() / 2);
        } finally {
            nginx.destroy();
            nginx.waitFor();
        }
    }

    /** Writes the vector inside a decrypted tunnel and reads until Loupe closes or stays silent for 1.5 s. */
    private static String send(int proxyPort, SSLContext tls, Vector v, int port) throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", proxyPort));
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(("CONNECT " + v.host() + ":" + port + " HTTP/1.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[39];
            raw.getInputStream().readNBytes(head, 0, head.length);
            assertThat(new String(head, StandardCharsets.US_ASCII)).as(v.name()).startsWith("HTTP/1.1 200");
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, v.host(), port, true)) {
                s.startHandshake();
                s.getOutputStream().write(v.request());
                s.getOutputStream().flush();
                s.setSoTimeout(1_500);
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        answer.write(buf, 0, n);
                    }
                } catch (SocketTimeoutException | java.net.SocketException quietOrReset) {
                    // kept open (keep-alive, or an unfinished body) or reset: what was answered is in `answer`
                }
                return answer.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** "METHOD path" of each exchange Loupe forwarded (not answered itself), by the tunnel's host name. */
    private static Map<String, List<String>> forwardedByLoupe(List<JsonNode> log) {
        Map<String, String> hostOfConnection = new HashMap<>();
        for (JsonNode n : log) {
            if ("connection".equals(n.path("type").asText())) {
                hostOfConnection.put(n.path("id").asText(), n.path("sni").asText());
            }
        }
        Map<String, List<String>> byHost = new HashMap<>();
        for (JsonNode n : log) {
            String outcome = n.path("outcome").asText("");
            if (!"exchange".equals(n.path("type").asText()) || outcome.startsWith("error: ")
                    || outcome.startsWith("blocked: ") || outcome.startsWith("answered: ")) {
                continue;
            }
            String host = hostOfConnection.get(n.path("connection").asText());
            byHost.computeIfAbsent(host, h -> new ArrayList<>())
                    .add(n.path("method").asText() + " " + pathOf(n.path("url").asText()));
        }
        return byHost;
    }

    /** "METHOD path" of each request nginx logged, by the SNI Loupe sent; a Host that is not the tunnel's is a failure. */
    private Map<String, List<String>> originRequests(int port, List<String> failures) throws Exception {
        Map<String, List<String>> byHost = new HashMap<>();
        Path log = dir.resolve("nginx/access.log");
        for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
            String[] f = line.split("\\|", -1);
            String sni = f[0];
            String[] request = f[2].split(" ");
            // an origin that refused the request line itself (400) never read a Host: it served nothing
            boolean refusedByOrigin = f[3].equals("-") && f[4].equals("400");
            if (!f[3].equalsIgnoreCase(sni + ":" + port) && !refusedByOrigin) {
                failures.add("the origin saw Host '" + f[3] + "' in a tunnel to " + sni + ": " + line);
            }
            String target = request.length > 1 ? pathOf(request[1]) : "-";
            byHost.computeIfAbsent(sni, h -> new ArrayList<>()).add(request[0] + " " + target);
        }
        return byHost;
    }

    private static String pathOf(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        int scheme = target.indexOf("://");
        int slash = scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
        return slash < 0 ? "/" : target.substring(slash);
    }

    private Process startNginx(int port) throws Exception {
        Path d = Files.createDirectories(dir.resolve("nginx"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(d.resolve("tmp"));
        Path conf = d.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 1024; }
                http {
                  log_format smuggle '$ssl_server_name|$connection|$request|$http_host|$status';
                  access_log %1$s/access.log smuggle;
                  client_body_temp_path %1$s/tmp;
                  server {
                    listen 127.0.0.1:%2$d ssl;
                    ssl_certificate %3$s; ssl_certificate_key %4$s;
                    location / { return 200 "ok\\n"; }
                  }
                }
                """.formatted(d, port, dir.resolve("leaf.crt"), dir.resolve("leaf.key")));
        return new ProcessBuilder(Partners.require("nginx"), "-c", conf.toString(), "-e", d + "/error.log")
                .redirectErrorStream(true).redirectOutput(d.resolve("nginx.out").toFile()).start();
    }

    /** The corpus's lengths assume an 18-byte authority: a 13-character name and a 4-digit port. */
    private static int fourDigitPort() throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(8000, 10_000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (java.io.IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between 8000 and 9999");
    }

    private static List<Vector> load(int port) throws Exception {
        List<Vector> vectors = new ArrayList<>();
        try (InputStream in = SmugglingCorpusIT.class.getResourceAsStream("/smuggling/corpus.tsv")) {
            assertThat(in).as("smuggling/corpus.tsv on the test class path").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                assertThat(f).as(line).hasSize(3);
                int index = vectors.size() + 1;
                String host = "v%03d.smug.tst:%d".formatted(index, port);
                String raw = f[2].replace("{host}", host).replace("{evil}", "evil.test");
                vectors.add(new Vector(index, f[0], unescape(raw)));
            }
        }
        return vectors;
    }

    private static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + s);
            }
        }
        return out.toByteArray();
    }
}
