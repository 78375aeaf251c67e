package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decrypted-traffic mirror read by real tools: tshark finds every request in the pcap file and
 * in the PCAP-over-IP stream, reassembles the response bodies byte for byte, and finds no bad
 * checksums or TCP analysis flags.
 */
class MirrorIT {
    @TempDir
    Path dir;

    @Test
    void tsharkSeesDecryptedConversationsInFileAndStream() throws Exception {
        int streamPort = Partners.freePort();
        Path pcapDir = dir.resolve("pcap");
        Path streamCapture = dir.resolve("stream.pcap");
        try (Origins origins = Origins.start(dir.resolve("origins"))) {
            GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                    mirror:
                      # the IDS parses HTTP on port 80: remap the origins' ports there
                      server-port-map: {%d: 80, %d: 80}
                      sinks:
                        - {type: pcap-file, directory: %s}
                        - {type: pcap-over-ip, address: 127.0.0.1, port: %d}
                    """.formatted(origins.ports.get(Site.GOOD), origins.plainPort, pcapDir, streamPort));
            Thread reader;
            try (Socket stream = new Socket("127.0.0.1", streamPort);
                 OutputStream copy = Files.newOutputStream(streamCapture)) {
                InputStream in = stream.getInputStream();
                reader = Thread.ofVirtual().start(() -> {
                    try {
                        in.transferTo(copy);
                    } catch (Exception ignored) {
                        // the stream ends when the gateway closes
                    }
                });
                Thread.sleep(200); // let the reader be registered before traffic starts
                for (String path : List.of("/index.html", "/300k.bin", "/1k.bin")) {
                    Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                            "-o", "/dev/null", origins.url(Site.GOOD, path));
                    assertThat(r.exitCode()).as(r.stderr()).isZero();
                }
                Curl.Result plain = Curl.run(dir, "-x", loupe.proxy(), "-o", "/dev/null",
                        "http://127.0.0.1:" + origins.plainPort + "/index.html?plain");
                assertThat(plain.exitCode()).isZero();
                Thread.sleep(500); // connections close, the mirror thread drains
                loupe.close();
                reader.join(5_000);
            }
            Path file;
            try (Stream<Path> files = Files.list(pcapDir)) {
                file = files.filter(p -> p.toString().endsWith(".pcap")).findFirst().orElseThrow();
            }
            for (Path capture : List.of(file, streamCapture)) {
                String uris = Tshark.read(capture, "-Y", "http.request", "-T", "fields", "-e", "http.host", "-e", "http.request.uri");
                assertThat(uris).contains("upstream.test:" + origins.ports.get(Site.GOOD) + "\t/index.html")
                        .contains("\t/300k.bin").contains("\t/1k.bin").contains("/index.html?plain");
                assertThat(Tshark.problems(capture)).as("malformed packets in " + capture).isEmpty();
                Path objects = Files.createDirectories(dir.resolve("objects-" + capture.getFileName()));
                Tshark.read(capture, "-q", "--export-objects", "http," + objects);
                assertThat(Origins.sha256(objects.resolve("300k.bin")))
                        .isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
            }
        }
    }

    @Test
    void suricataAlertsOnPlaintextInsideDecryptedHttpsAndSeesNoStreamAnomalies() throws Exception {
        Path pcapDir = dir.resolve("pcap");
        try (Origins origins = Origins.start(dir.resolve("origins"))) {
            try (GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins,
                    """
                    mirror:
                      server-port-map: {%d: 80}
                      sinks: [{type: pcap-file, directory: %s}]
                    """.formatted(origins.ports.get(Site.GOOD), pcapDir))) {
                for (String path : List.of("/index.html", "/300k.bin")) {
                    assertThat(Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                            "-o", "/dev/null", origins.url(Site.GOOD, path)).exitCode()).isZero();
                }
                Thread.sleep(500);
            }
            Path capture;
            try (Stream<Path> files = Files.list(pcapDir)) {
                capture = files.findFirst().orElseThrow();
            }
            Path rules = dir.resolve("loupe.rules");
            StringBuilder text = new StringBuilder("alert http any any -> any any (msg:\"LOUPE marker in decrypted "
                    + "response\"; flow:established,to_client; file.data; content:\"" + Origins.MARKER
                    + "\"; sid:1000001; rev:1;)\n");
            for (String events : List.of("stream-events.rules", "decoder-events.rules")) {
                // required: without them a broken stream would raise no event and the test would not notice
                Path p = Path.of("/etc/suricata/rules", events);
                assertThat(p).as("Suricata's %s (Debian package suricata)", events).isRegularFile();
                text.append(Files.readString(p)).append('\n');
            }
            Files.writeString(rules, text);
            Path out = Files.createDirectories(dir.resolve("suricata"));
            Process p = new ProcessBuilder(Partners.require("suricata"), "-r", capture.toString(), "-S",
                    rules.toString(), "-l", out.toString(), "-k", "none", "--runmode", "single")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("suricata.out").toFile()).start();
            assertThat(Partners.finish(p)).as(Files.readString(dir.resolve("suricata.out"))).isZero();
            String fast = Files.readString(out.resolve("fast.log"));
            assertThat(fast).contains("[1:1000001:1] LOUPE marker in decrypted response");
            assertThat(fast.lines().filter(l -> !l.contains("1000001"))).as("no stream or decoder anomalies").isEmpty();
        }
    }

    @Test
    void interfaceSinkWritesFramesThatTcpdumpCapturesOnTheVethPeer() throws Exception {
        String id = Long.toHexString(System.nanoTime() & 0xfffffL);
        String ns = "loupe-mir-" + id;
        String local = "lmA" + id;
        String peer = "lmB" + id;
        Path capture = dir.resolve("veth.pcap");
        try (Origins origins = Origins.start(dir.resolve("origins"))) {
            Net.run("ip", "netns", "add", ns);
            try {
                Net.run("ip", "link", "add", local, "type", "veth", "peer", "name", peer);
                Net.run("ip", "link", "set", peer, "netns", ns);
                Net.run("ip", "link", "set", local, "up");
                Net.run("ip", "netns", "exec", ns, "ip", "link", "set", peer, "up");
                Process tcpdump = new ProcessBuilder(Partners.require("ip"), "netns", "exec", ns,
                        Partners.require("tcpdump"), "-i", peer, "--immediate-mode", "-U", "-w", capture.toString(),
                        "tcp").redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.out").toFile()).start();
                Thread.sleep(1000); // tcpdump opens the interface
                try (GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")),
                        origins, """
                        mirror:
                          server-port-map: {%d: 80}
                          sinks: [{type: interface, interfaces: [%s]}]
                        """.formatted(origins.ports.get(Site.GOOD), local))) {
                    assertThat(Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-o",
                            "/dev/null", origins.url(Site.GOOD, "/index.html")).exitCode()).isZero();
                    Thread.sleep(1000);
                }
                tcpdump.destroy();
                tcpdump.waitFor();
                String uris = Tshark.read(capture, "-Y", "http.request", "-T", "fields", "-e", "http.request.uri");
                assertThat(uris).as(Files.readString(dir.resolve("tcpdump.out"))).contains("/index.html");
                assertThat(Tshark.read(capture, "-Y", "http.response.code == 200", "-T", "fields",
                        "-e", "http.response.code")).contains("200");
            } finally {
                Net.run("ip", "netns", "del", ns); // removes the veth pair as well
            }
        }
    }

    @Test
    void anHttp2DownloadIsMirroredAsHttp2ThatTsharkDecodesWithTheBodyByteExact() throws Exception {
        Path pcapDir = dir.resolve("pcap-h2");
        try (Origins origins = Origins.start(dir.resolve("origins-h2"))) {
            GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe-h2")), origins, """
                    mirror:
                      server-port-map: {%d: 80}
                      sinks: [{type: pcap-file, directory: %s}]
                    """.formatted(origins.ports.get(Site.H2), pcapDir));
            try {
                Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--http2",
                        "-w", "%{http_version}", "-o", "/dev/null", origins.url(Site.H2, "/300k.bin?h2-mirror"));
                assertThat(r.exitCode()).as(r.stderr()).isZero();
                assertThat(r.text()).isEqualTo("2");
                Thread.sleep(500);
            } finally {
                loupe.close();
            }
            Path capture = pcapFile(pcapDir);
            // the mirrored conversation is the h2 connection Loupe made to the origin, decoded as such
            String h2 = "tcp.port==80,http2";
            assertThat(Tshark.read(capture, "-d", h2, "-Y", "http2.headers.path", "-T", "fields",
                    "-e", "http2.headers.path")).contains("/300k.bin?h2-mirror");
            String body = Tshark.read(capture, "-d", h2, "-Y", "http2.body.reassembled.data", "-T", "fields",
                    "-e", "http2.body.reassembled.data").strip();
            assertThat(body).as("a reassembled response body").isNotEmpty();
            byte[] bytes = java.util.HexFormat.of().parseHex(body.replace(":", ""));
            assertThat(java.security.MessageDigest.getInstance("SHA-256").digest(bytes))
                    .isEqualTo(java.util.HexFormat.of().parseHex(Origins.sha256(origins.www.resolve("300k.bin"))));
            assertThat(Tshark.problems(capture)).as("malformed packets").isEmpty();
        }
    }

    @Test
    void includeRelayedMirrorsBypassedTlsAndAStalledStreamReaderCostsTheFileNothing() throws Exception {
        try (Origins origins = Origins.start(dir.resolve("origins-relayed"))) {
            String rules = """
                    policy:
                      rules:
                        - {name: bank-bypass, hosts: [localhost], action: bypass}
                    """;
            Path withDir = dir.resolve("pcap-with");
            Path withoutDir = dir.resolve("pcap-without");
            int streamPort = Partners.freePort();
            String[] mirrorState = {""}; // for a failure's message: drops tell a lost event from a synthesis problem
            for (boolean include : new boolean[] {true, false}) {
                Path pcapDir = include ? withDir : withoutDir;
                String sinks = "    - {type: pcap-file, directory: " + pcapDir + "}\n" + (include
                        ? "    - {type: pcap-over-ip, address: 127.0.0.1, port: " + streamPort + ", buffer-bytes: 65536}\n" : "");
                GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("relayed-" + include)),
                        origins, rules + "mirror:\n  include-relayed: " + include + "\n  sinks:\n" + sinks);
                // a PCAP-over-IP reader that connects and never reads: its sink drops, the file must not
                Socket stalled = include ? new Socket("127.0.0.1", streamPort) : null;
                try {
                    if (stalled != null) {
                        stalled.setReceiveBufferSize(4096);
                        Thread.sleep(200);
                    }
                    Curl.Result bypassed = Curl.run(dir, "-x", loupe.proxy(), "--cacert", origins.originCa.toString(),
                            "-o", "/dev/null", "https://localhost:" + origins.ports.get(Site.GOOD) + "/index.html");
                    assertThat(bypassed.exitCode()).as(bypassed.stderr()).isZero();
                    for (int i = 0; i < (include ? 20 : 1); i++) {
                        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-o", "/dev/null",
                                "http://127.0.0.1:" + origins.plainPort + "/300k.bin?n=" + i);
                        assertThat(r.exitCode()).isZero();
                    }
                    Thread.sleep(500);
                    if (include) {
                        var mirror = loupe.gateway.services().mirror();
                        mirrorState[0] = "sinks " + mirror.stats() + ", events dropped before synthesis "
                                + mirror.droppedEvents();
                    }
                } finally {
                    loupe.close();
                    if (stalled != null) {
                        stalled.close();
                    }
                }
            }
            String withTls = Tshark.read(pcapFile(withDir), "-Y", "tls.handshake.type == 1", "-T", "fields", "-e",
                    "tls.handshake.extensions_server_name");
            assertThat(withTls).as("the bypassed ClientHello, as relayed").contains("localhost");
            String withoutTls = Tshark.read(pcapFile(withoutDir), "-Y", "tls.handshake.type == 1");
            assertThat(withoutTls).as("include-relayed off: no relayed TLS").isBlank();
            // the file sink has every plain download in full while the stream reader stalled
            String uris = Tshark.read(pcapFile(withDir), "-Y", "http.request", "-T", "fields", "-e", "http.request.uri");
            for (int i = 0; i < 20; i++) {
                assertThat(uris).as(mirrorState[0] + "; files " + pcapFiles(withDir)).contains("/300k.bin?n=" + i + "\n");
            }
            Path objects = Files.createDirectories(dir.resolve("objects-relayed"));
            Tshark.read(pcapFile(withDir), "-q", "--export-objects", "http," + objects);
            try (Stream<Path> exported = Files.list(objects)) {
                List<Path> bodies = exported.filter(p -> p.getFileName().toString().startsWith("300k.bin")).toList();
                assertThat(bodies).hasSize(20);
                for (Path body : bodies) {
                    assertThat(Origins.sha256(body)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
                }
            }
        }
    }

    private static Path pcapFile(Path pcapDir) throws Exception {
        try (Stream<Path> files = Files.list(pcapDir)) {
            return files.filter(p -> p.toString().endsWith(".pcap")).findFirst().orElseThrow();
        }
    }

    private static List<String> pcapFiles(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName() + " " + f.toFile().length()).sorted().toList();
        }
    }
}
