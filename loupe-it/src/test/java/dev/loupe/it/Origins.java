package dev.loupe.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Real nginx origins on loopback, one port per certificate situation, plus a plain-HTTP port.
 * Started once per test class; stopped by the PID of the nginx process this fixture started.
 */
final class Origins implements AutoCloseable {
    static final String HOST = "upstream.test";
    static final String MARKER = "loupe-origin-content-7f3a";

    /** {@code H2}: the good site again, also speaking HTTP/2 (nginx {@code listen ... ssl http2}). */
    enum Site { GOOD, EXPIRED, NOT_YET_VALID, SELF_SIGNED, WRONG_HOST, UNTRUSTED_ROOT, MUTUAL_TLS, H2 }

    final Path dir;
    final Path originCa;
    /** The origins' CA, for tests that run their own TLS origins trusted by the same gateway. */
    final TestCertificates.Issued ca;
    final Path hostsFile;
    final Path clientCert;
    final Path clientKey;
    final Path www;
    final Map<Site, Integer> ports = new LinkedHashMap<>();
    final int plainPort;
    private final Process nginx;

    private Origins(Path dir, boolean bigFile, String extraLocations) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        // nginx workers run as an unprivileged user: they must be able to reach the files
        for (Path p = dir; p != null && p.startsWith(dir.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        this.www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<!DOCTYPE html><html><head><title>Origin</title></head>"
                + "<body><h1 id=\"marker\">" + MARKER + "</h1><p id=\"js\"></p>"
                + "<script>document.getElementById('js').textContent='script ran';</script></body></html>\n");
        Files.write(www.resolve("1k.bin"), random(1024, 1));
        Files.write(www.resolve("300k.bin"), random(300 * 1024, 2));
        if (bigFile) {
            writeRandom(www.resolve("200m.bin"), 200L * 1024 * 1024);
        }
        TestCertificates.Issued ca = TestCertificates.ca("Loupe IT Origin CA");
        this.ca = ca;
        this.originCa = dir.resolve("origin-ca.pem");
        TestCertificates.write(originCa, ca.certificate());
        Instant now = Instant.now();
        Map<Site, TestCertificates.Issued> certs = new LinkedHashMap<>();
        certs.put(Site.GOOD, TestCertificates.leaf(ca, HOST, now.minusSeconds(3600), now.plusSeconds(86_400 * 5),
                HOST, "localhost", "127.0.0.1", "blocked.test", "pushed.test", "pinned.test", "taxii.test", "global.test",
                "never.test", "rated.test"));
        certs.put(Site.H2, certs.get(Site.GOOD));
        certs.put(Site.EXPIRED, TestCertificates.leaf(ca, HOST, now.minusSeconds(86_400 * 3),
                now.minusSeconds(86_400), HOST));
        certs.put(Site.NOT_YET_VALID, TestCertificates.leaf(ca, HOST, now.plusSeconds(86_400 * 2),
                now.plusSeconds(86_400 * 9), HOST));
        certs.put(Site.SELF_SIGNED, TestCertificates.selfSignedLeaf(HOST, HOST));
        certs.put(Site.WRONG_HOST, TestCertificates.leaf(ca, "other.example", now.minusSeconds(3600),
                now.plusSeconds(86_400), "other.example"));
        certs.put(Site.MUTUAL_TLS, TestCertificates.leaf(ca, HOST, now.minusSeconds(3600), now.plusSeconds(86_400),
                HOST, "mtls.test"));
        TestCertificates.Issued client = TestCertificates.clientLeaf(ca, "Loupe IT client");
        this.clientCert = dir.resolve("client.crt");
        this.clientKey = dir.resolve("client.key");
        client.writePem(clientCert, clientKey);
        TestCertificates.Issued unknownRoot = TestCertificates.ca("Unknown Root");
        certs.put(Site.UNTRUSTED_ROOT, TestCertificates.leaf(unknownRoot, HOST,
                now.minusSeconds(3600), now.plusSeconds(86_400), HOST));
        StringBuilder servers = new StringBuilder();
        for (var e : certs.entrySet()) {
            int port = Partners.freePort();
            ports.put(e.getKey(), port);
            Path crt = dir.resolve(e.getKey() + ".crt");
            Path key = dir.resolve(e.getKey() + ".key");
            e.getValue().writePem(crt, key);
            if (e.getKey() == Site.UNTRUSTED_ROOT) {
                // the server sends its whole chain, up to a root nobody trusts
                Path root = dir.resolve("unknown-root.pem");
                TestCertificates.write(root, unknownRoot.certificate());
                Files.writeString(crt, Files.readString(crt) + Files.readString(root));
            }
            String mutual = e.getKey() == Site.MUTUAL_TLS
                    ? "; ssl_verify_client on; ssl_client_certificate " + originCa : "";
            String extra = e.getKey() == Site.GOOD || e.getKey() == Site.H2 ? extraLocations : "";
            String listen = e.getKey() == Site.H2 ? " ssl http2" : " ssl";
            servers.append("  server { listen 127.0.0.1:").append(port).append(listen).append("; ssl_certificate ").append(crt)
                    .append("; ssl_certificate_key ").append(key).append(mutual).append("; root ").append(www)
                    .append("; ").append(extra).append(" }\n");
        }
        this.plainPort = Partners.freePort();
        servers.append("  server { listen 127.0.0.1:").append(plainPort).append("; root ").append(www)
                .append("; location /taxii/ { types { } default_type \"application/taxii+json;version=2.1\"; } ")
                .append(extraLocations).append(" }\n");
        this.hostsFile = dir.resolve("hosts");
        Files.writeString(hostsFile, "127.0.0.1 " + HOST
                + " blocked.test pushed.test pinned.test taxii.test mtls.test global.test never.test rated.test\n");
        this.nginx = startNginx(servers.toString());
        try {
            for (int port : ports.values()) {
                Partners.awaitPort(port, 5_000);
            }
            Partners.awaitPort(plainPort, 5_000);
        } catch (AssertionError e) {
            throw new AssertionError("nginx did not start: " + Files.readString(dir.resolve("nginx.out")), e);
        }
    }

    static Origins start(Path dir) throws Exception {
        return new Origins(dir, false, "");
    }

    /** {@code extraLocations}: nginx directives added to the GOOD site and the plain-HTTP site. */
    static Origins start(Path dir, String extraLocations) throws Exception {
        return new Origins(dir, false, extraLocations);
    }

    static Origins startWithBigFile(Path dir) throws Exception {
        return new Origins(dir, true, "");
    }

    String url(Site site, String path) {
        return "https://" + HOST + ":" + ports.get(site) + path;
    }

    private Process startNginx(String servers) throws IOException {
        Path conf = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(conf, """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                events { worker_connections 1024; }
                http {
                  access_log %1$s/nginx-access.log;
                  client_body_temp_path %1$s/tmp;
                  default_type application/octet-stream;
                  types { text/html html; }
                  keepalive_requests 100000;
                %2$s}
                """.formatted(dir, servers));
        return new ProcessBuilder(Partners.require("nginx"), "-c", conf.toString(), "-e", dir + "/nginx-error.log")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random r = new Random(42);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                r.nextBytes(block);
                out.write(block);
            }
        }
    }

    /**
     * A file whose every 8-byte word is its own offset: a relay that loses, repeats or reorders any chunk
     * changes its hash (an all-zero sparse file would not notice).
     */
    static void writeOffsetPattern(Path file, long size) throws IOException {
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(1 << 20);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long offset = 0; offset < size; ) {
                block.clear();
                while (block.hasRemaining() && offset + block.position() < size) {
                    block.putLong(offset + block.position());
                }
                block.flip();
                offset += block.remaining();
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            }
        }
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public void close() throws InterruptedException {
        nginx.destroy();
        if (!nginx.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            nginx.destroyForcibly();
        }
    }
}
