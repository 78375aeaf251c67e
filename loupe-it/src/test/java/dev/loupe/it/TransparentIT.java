package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transparent interception in a lab of three network namespaces (client, gateway, server) built by
 * the test. The client has no proxy settings: the gateway's firewall diverts its traffic to Loupe's
 * TPROXY listener, set up with the commands {@code loupe transparent rules} prints. Needs root and
 * netns support; without them the test fails (it does not skip).
 */
class TransparentIT {
    static final String SERVER4 = "10.77.1.2";
    static final String SERVER6 = "fd77:1::2";

    @TempDir
    static Path dir;
    static String id = Long.toHexString(System.nanoTime() & 0xffffL);
    static String cli = "lt-cli-" + id;
    static String gw = "lt-gw-" + id;
    static String srv = "lt-srv-" + id;
    static Process nginx;
    static Process echo;
    static Process loupe;
    static Path loupeCa;
    static Path originCa;

    @BeforeAll
    static void lab() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String ns : List.of(cli, gw, srv)) {
            Net.run("ip", "netns", "add", ns);
            Net.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Net.run("ip", "link", "add", "c0", "netns", cli, "type", "veth", "peer", "name", "g0", "netns", gw);
        Net.run("ip", "link", "add", "g1", "netns", gw, "type", "veth", "peer", "name", "s0", "netns", srv);
        address(cli, "c0", "10.77.0.2/24", "fd77:0::2/64");
        address(gw, "g0", "10.77.0.1/24", "fd77:0::1/64");
        address(gw, "g1", "10.77.1.1/24", "fd77:1::1/64");
        address(srv, "s0", SERVER4 + "/24", SERVER6 + "/64");
        Net.run("ip", "-n", cli, "route", "add", "default", "via", "10.77.0.1");
        Net.run("ip", "-n", cli, "-6", "route", "add", "default", "via", "fd77:0::1");
        Net.run("ip", "-n", srv, "route", "add", "default", "via", "10.77.1.1");
        Net.run("ip", "-n", srv, "-6", "route", "add", "default", "via", "fd77:1::1");
        startServers();
        startLoupe();
    }

    private static void address(String ns, String dev, String v4, String v6) throws Exception {
        Net.run("ip", "-n", ns, "addr", "add", v4, "dev", dev);
        Net.run("ip", "-n", ns, "-6", "addr", "add", v6, "dev", dev, "nodad");
        Net.run("ip", "-n", ns, "link", "set", dev, "up");
    }

    private static void startServers() throws Exception {
        TestCertificates.Issued ca = TestCertificates.ca("Transparent Origin CA");
        originCa = dir.resolve("origin-ca.pem");
        TestCertificates.write(originCa, ca.certificate());
        TestCertificates.leaf(ca, "origin.test", Instant.now().minusSeconds(60), Instant.now().plusSeconds(86_400),
                "origin.test", "bypass.test", SERVER4, SERVER6).writePem(dir.resolve("o.crt"), dir.resolve("o.key"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), Origins.MARKER + "\n");
        Files.createDirectories(dir.resolve("tmp"));
        String tls = " ssl; ssl_certificate " + dir.resolve("o.crt") + "; ssl_certificate_key " + dir.resolve("o.key");
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off; worker_processes 1; pid %1$s/nginx.pid; error_log %1$s/nginx-error.log;
                events { worker_connections 256; }
                http { access_log %1$s/nginx-access.log; client_body_temp_path %1$s/tmp;
                  server { listen 443%2$s; listen [::]:443%2$s; root %3$s; }
                  server { listen 8443%2$s; listen [::]:8443%2$s; root %3$s; }
                  server { listen 80; listen [::]:80; root %3$s; }
                }
                """.formatted(dir, tls, www));
        nginx = inNamespace(srv, Partners.require("nginx"), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir + "/nginx-error.log").redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        // a protocol that is neither TLS nor HTTP: reply "echo:" + what was received, then close
        echo = inNamespace(srv, "python3", "-c", """
                import socket
                s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('::', 7000)); s.listen(8)
                while True:
                    c, _ = s.accept(); data = c.recv(4096); c.sendall(b'echo:' + data); c.close()
                """).redirectErrorStream(true).redirectOutput(dir.resolve("echo.out").toFile()).start();
        Thread.sleep(500);
    }

    private static void startLoupe() throws Exception {
        Path config = dir.resolve("loupe.yaml");
        // feeds name URLs by host name, never by the address a transparent client happened to reach
        Files.writeString(dir.resolve("feed.txt"), "https://origin.test:8443/bad-by-name\n");
        Files.writeString(config, """
                data-dir: %s
                listener: {address: 127.0.0.1, port: 18080}
                admin: {port: 0}
                upstream: {extra-ca-bundles: [%s]}
                resolver: {nameservers: ["127.0.0.1:9"], query-timeout: 500ms}
                limits: {sniff-timeout: 500ms}
                access-log: {target: %s}
                transparent: {enabled: true, port: 15001, ports: [80, 443, 8443, 7000], interfaces: [g0]}
                policy:
                  rules:
                    - {name: no-peeking, hosts: [bypass.test], action: bypass}
                intel:
                  sources:
                    - {name: url-feed, type: file, format: plain, path: %s, interval: 1s}
                """.formatted(dir.resolve("data"), originCa, dir.resolve("access.log"), dir.resolve("feed.txt")));
        LoupeProcess.Result rules = LoupeProcess.run(dir, "transparent", "rules", "--config", config.toString());
        assertThat(rules.exitCode()).as(rules.stderr()).isZero();
        Files.writeString(dir.resolve("rules.sh"), rules.stdout());
        Net.run("ip", "netns", "exec", gw, "sh", dir.resolve("rules.sh").toString());
        loupe = Net.startLoupe(gw, config, dir.resolve("loupe.out"), "transparent (TPROXY) listener");
        loupeCa = dir.resolve("data/ca.crt");
    }

    @AfterAll
    static void teardown() throws Exception {
        Net.teardown(java.util.Arrays.asList(loupe, nginx, echo), List.of(cli, gw, srv));
    }

    @Test
    void httpsOn443And8443IsDecryptedWithLoupesCertificate() throws Exception {
        for (int port : new int[] {443, 8443}) {
            Curl.Result r = curlFromClient("--cacert", loupeCa.toString(), "-v", "--resolve",
                    "origin.test:" + port + ":" + SERVER4, "https://origin.test:" + port + "/index.html");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.text()).contains(Origins.MARKER);
            assertThat(r.stderr()).contains("issuer: O=Loupe; CN=Loupe Inspection CA");
        }
        assertThat(awaitLog("\"listener\":\"transparent\"", "\"verdict\":\"decrypt\"", ":8443\"")).isTrue();
    }

    @Test
    void decryptedExchangesAreNamedByTheVerifiedServerNameNotTheAddress() throws Exception {
        String base = "https://origin.test:8443";
        String[] resolve = {"--cacert", loupeCa.toString(), "--resolve", "origin.test:8443:" + SERVER4, "-w",
            "\n%{http_code}"};
        Curl.Result bad = curlFromClient(concat(resolve, base + "/bad-by-name"));
        assertThat(bad.text()).endsWith("\n403").contains("url-feed");
        Curl.Result ok = curlFromClient(concat(resolve, base + "/index.html?by-name"));
        assertThat(ok.text()).contains(Origins.MARKER).endsWith("\n200");
        assertThat(awaitLog("\"url\":\"" + base + "/index.html?by-name\"")).as("logged by name").isTrue();
        assertThat(awaitLog("\"url\":\"" + base + "/bad-by-name\"", "\"status\":403")).isTrue();
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void ipv6WorksTheSame() throws Exception {
        Curl.Result r = curlFromClient("--cacert", loupeCa.toString(), "-v", "--resolve",
                "origin.test:443:[" + SERVER6 + "]", "https://origin.test/index.html");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).contains(Origins.MARKER);
        assertThat(r.stderr()).contains("Loupe Inspection CA");
        Curl.Result plain = curlFromClient("http://[" + SERVER6 + "]/index.html?v6");
        assertThat(plain.text()).contains(Origins.MARKER);
        // through Loupe, not routed past it: its log has the exchange, on the transparent listener
        assertThat(awaitLog("\"type\":\"exchange\"", "\"url\":\"http://[" + SERVER6 + "]/index.html?v6\"")).isTrue();
        assertThat(awaitLog("\"listener\":\"transparent\"", "\"target\":\"[" + SERVER6 + "]:80\"")).isTrue();
    }

    @Test
    void plainHttpOnPort80IsSeenAndLogged() throws Exception {
        Curl.Result r = curlFromClient("http://" + SERVER4 + "/index.html?seen");
        assertThat(r.text()).contains(Origins.MARKER);
        // the full URL, as for decrypted exchanges (not the path alone)
        assertThat(awaitLog("\"type\":\"exchange\"", "\"url\":\"http://" + SERVER4 + "/index.html?seen\"",
                "\"status\":200")).isTrue();
    }

    @Test
    void otherProtocolsPassByteExact() throws Exception {
        Process p = inNamespace(cli, "python3", "-c", """
                import socket
                s = socket.create_connection(('%s', 7000), timeout=10)
                s.sendall(b'\\x00\\x01binary-not-tls-not-http\\xff'); print(s.recv(4096))
                """.formatted(SERVER4)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(20, TimeUnit.SECONDS);
        assertThat(out.strip()).isEqualTo("b'echo:\\x00\\x01binary-not-tls-not-http\\xff'");
        assertThat(awaitLog("\"verdict\":\"relay\"", ":7000\"")).isTrue();
    }

    @Test
    void bypassRuleShowsTheOriginsCertificate() throws Exception {
        Curl.Result r = curlFromClient("--cacert", originCa.toString(), "-v", "--resolve",
                "bypass.test:443:" + SERVER4, "https://bypass.test/index.html");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("issuer: CN=Transparent Origin CA");
        // the origin's certificate because Loupe bypassed it, not because the packets went around Loupe
        assertThat(awaitLog("\"listener\":\"transparent\"", "\"target\":\"" + SERVER4 + ":443\"",
                "\"sni\":\"bypass.test\"", "\"verdict\":\"bypass\"", "no-peeking")).isTrue();
    }

    @Test
    void quicOnUdp443IsRejectedSoClientsFallBackToTcp() throws Exception {
        // a UDP listener on the server's 443 and 4433: only 443 is refused on the way
        Process udp = inNamespace(srv, "python3", "-u", "-c", """
                import socket, select
                socks = []
                for port in (443, 4433):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', port)); socks.append(s)
                while True:
                    for s in select.select(socks, [], [])[0]:
                        data, peer = s.recvfrom(2048); print('got', s.getsockname()[1], flush=True); s.sendto(b'ack', peer)
                """).redirectErrorStream(true).redirectOutput(dir.resolve("udp.out").toFile()).start();
        try {
            Thread.sleep(300);
            Process client = inNamespace(cli, "python3", "-c", """
                    import socket
                    for port in (443, 4433):
                        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3); s.connect(('%s', port))
                        # a QUIC Initial's first bytes: long header, version 1
                        s.send(bytes([0xc3, 0, 0, 0, 1]) + bytes(1195))
                        try:
                            print(port, s.recv(100))
                        except ConnectionRefusedError:
                            print(port, 'refused')
                        except socket.timeout:
                            print(port, 'timeout')
                    """.formatted(SERVER4)).redirectErrorStream(true).start();
            String out = new String(client.getInputStream().readAllBytes());
            Partners.finish(client);
            assertThat(out).as("an ICMP reject for QUIC").contains("443 refused").contains("4433 b'ack'");
            assertThat(Files.readString(dir.resolve("udp.out"))).doesNotContainPattern("got 443\\b").contains("got 4433");
        } finally {
            udp.destroy();
            udp.waitFor();
        }
    }

    @Test
    void explicitProxyRunsInTheSameProcess() throws Exception {
        Process p = new ProcessBuilder(Partners.require("ip"), "netns", "exec", gw, Partners.require("curl"),
                "--silent", "--max-time", "20", "-x", "http://127.0.0.1:18080", "--cacert", loupeCa.toString(),
                // the proxy resolves names itself (there is no DNS in the lab): address the origin by IP
                "https://" + SERVER4 + "/index.html").start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        assertThat(out).contains(Origins.MARKER);
        assertThat(awaitLog("\"listener\":\"explicit\"", "\"verdict\":\"decrypt\"")).isTrue();
    }

    private static Curl.Result curlFromClient(String... args) throws Exception {
        return Net.curl(dir, cli, List.of(args));
    }

    private static boolean awaitLog(String... fragments) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            Path log = dir.resolve("access.log");
            if (Files.exists(log) && Files.readAllLines(log).stream()
                    .anyMatch(line -> java.util.Arrays.stream(fragments).allMatch(line::contains))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static ProcessBuilder inNamespace(String ns, String... cmd) {
        return Net.inNamespace(ns, cmd);
    }
}
