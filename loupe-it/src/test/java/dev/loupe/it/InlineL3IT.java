package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inline L3 service with a real IPS: Suricata 7 in NFQUEUE mode in its own network namespace. Loupe
 * (transparent mode, in the gateway namespace) decrypts the client's HTTPS, sends the plaintext as a TCP
 * connection from the client's address to the server's address on port 80 over a route through the IPS,
 * takes it back with TPROXY and re-encrypts it to the origin. Lab: four namespaces built by the test.
 * <pre>
 * [cli] c0 10.78.0.2 == g0 [gw: Loupe] g1 == s0 10.78.1.2 [srv: nginx]
 *                         [gw] i0 10.78.2.1 == x0 [ips: Suricata, forwarding] x1 == i1 10.78.3.1 [gw]
 * </pre>
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class InlineL3IT {
    static final String CLIENT = "10.78.0.2";
    static final String SERVER = "10.78.1.2";

    @TempDir
    static Path dir;
    static String id = Long.toHexString(System.nanoTime() & 0xffffL);
    static String cli = "l3-cli-" + id;
    static String gw = "l3-gw-" + id;
    static String ips = "l3-ips-" + id;
    static String srv = "l3-srv-" + id;
    static Process nginx;
    static Process suricata;
    static Process loupe;
    static Process failOpen;
    static Path loupeCa;
    static Path www;

    @BeforeAll
    static void lab() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String ns : List.of(cli, gw, ips, srv)) {
            Net.run("ip", "netns", "add", ns);
            Net.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Net.veth(cli, "c0", "10.78.0.2/24", gw, "g0", "10.78.0.1/24");
        Net.veth(gw, "g1", "10.78.1.1/24", srv, "s0", "10.78.1.2/24");
        Net.veth(gw, "i0", "10.78.2.1/24", ips, "x0", "10.78.2.2/24");
        Net.veth(ips, "x1", "10.78.3.2/24", gw, "i1", "10.78.3.1/24");
        Net.run("ip", "-n", cli, "route", "add", "default", "via", "10.78.0.1");
        Net.run("ip", "-n", srv, "route", "add", "default", "via", "10.78.1.1");
        // the IPS box forwards between the gateway's two legs
        Net.run("ip", "-n", ips, "route", "add", "10.78.1.0/24", "via", "10.78.3.1");
        Net.run("ip", "-n", ips, "route", "add", "10.78.0.0/24", "via", "10.78.2.1");
        for (String ns : List.of(gw, ips)) {
            Net.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            for (String conf : List.of("all", "default")) {
                Net.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf." + conf + ".rp_filter=0");
            }
        }
        for (String dev : List.of("g0", "g1", "i0", "i1")) {
            Net.run("ip", "netns", "exec", gw, "sysctl", "-qw", "net.ipv4.conf." + dev + ".rp_filter=0");
        }
        for (String dev : List.of("x0", "x1")) {
            Net.run("ip", "netns", "exec", ips, "sysctl", "-qw", "net.ipv4.conf." + dev + ".rp_filter=0");
        }
        startServer();
        startSuricata();
        startLoupe();
    }


    private static void startServer() throws Exception {
        nginx = NamespaceOrigin.start(srv, dir, SERVER);
        www = dir.resolve("www");
    }

    private static void startSuricata() throws Exception {
        suricata = NfqueueIps.start(ips, dir.resolve("suricata"));
    }

    private static void startLoupe() throws Exception {
        Path config = dir.resolve("loupe.yaml");
        Files.writeString(config, """
                data-dir: %s
                listener: {address: 127.0.0.1, port: 18081}
                admin: {port: 0}
                upstream: {extra-ca-bundles: [%s]}
                resolver: {nameservers: ["127.0.0.1:9"], query-timeout: 500ms}
                access-log: {target: %s}
                transparent: {enabled: true, port: 15001, ports: [443], interfaces: [g0]}
                inline:
                  services:
                    - {name: ips, type: l3, marks: [2], server-port: 80, return-port: 15002, return-mark: 3,
                       probe-source: 10.78.0.254, probe-destination: 10.78.1.2, health-interval: 500ms,
                       response-timeout: 2s}
                """.formatted(dir.resolve("data"), dir.resolve("origin-ca.pem"), dir.resolve("access.log")));
        LoupeProcess.Result rules = LoupeProcess.run(dir, "transparent", "rules", "--config", config.toString());
        assertThat(rules.exitCode()).as(rules.stderr()).isZero();
        Files.writeString(dir.resolve("rules.sh"), rules.stdout() + """
                # inline L3: plaintext marked 2 leaves through the IPS, comes back on i1 to the return listener,
                # and the return listener's packets (mark 3) go back through the IPS
                ip rule add fwmark 0x2 lookup 102
                ip route add default via 10.78.2.2 dev i0 table 102
                ip rule add fwmark 0x3 lookup 103
                ip route add default via 10.78.3.2 dev i1 table 103
                nft add rule inet loupe divert iifname "i1" tcp dport 80 tproxy ip to :15002 meta mark set 0x1 accept
                """);
        Net.run("ip", "netns", "exec", gw, "sh", dir.resolve("rules.sh").toString());
        loupe = Net.startLoupe(gw, config, dir.resolve("loupe.out"), "return listener for inline L3");
        loupeCa = dir.resolve("data/ca.crt");
        // devices start out of rotation: wait for the first probe through Suricata
        awaitFile(dir.resolve("loupe.out"), "device mark:2: back in rotation");
    }

    @AfterAll
    static void teardown() throws Exception {
        Net.teardown(java.util.Arrays.asList(failOpen, loupe, suricata, nginx), List.of(cli, gw, ips, srv));
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void cleanRequestsCrossTheIpsAndArriveByteExactWithTheRealAddressesInItsLog() throws Exception {
        Curl.Result r = curlFromClient("https://origin.test/index.html?clean");
        assertThat(r.exitCode()).as(r.stderr() + log()).isZero();
        assertThat(r.text()).contains(Origins.MARKER);
        Path out = dir.resolve("300k.out");
        Curl.Result big = curlFromClient("-o", out.toString(), "https://origin.test/300k.bin");
        assertThat(big.exitCode()).as(big.stderr()).isZero();
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(www.resolve("300k.bin")));
        String eve = awaitFile(dir.resolve("suricata/eve.json"), "/index.html?clean");
        String line = eve.lines().filter(l -> l.contains("\"event_type\":\"http\"") && l.contains("/index.html?clean"))
                .findFirst().orElseThrow();
        assertThat(line).as("Suricata saw the real client and server")
                .contains("\"src_ip\":\"" + CLIENT + "\"").contains("\"dest_ip\":\"" + SERVER + "\"")
                .contains("\"dest_port\":80");
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void theLoopProbeCrossesTheIps() throws Exception {
        String eve = awaitFile(dir.resolve("suricata/eve.json"), "/loupe-probe/");
        assertThat(eve.lines().filter(l -> l.contains("/loupe-probe/")).findFirst().orElseThrow())
                .contains("\"src_ip\":\"10.78.0.254\"");
        assertThat(Files.readString(dir.resolve("loupe.out"))).doesNotContain("out of rotation");
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aRequestTheIpsRejectsEndsTheClientsConnectionAndTheLogNamesTheService() throws Exception {
        Curl.Result r = curlFromClient("-w", "\n%{http_code}", "https://origin.test/index.html?BLOCK-ME-MARKER");
        assertThat(r.text()).doesNotContain(Origins.MARKER).endsWith("\n502").contains("inline service ips");
        assertThat(awaitFile(dir.resolve("suricata/eve.json"), "IPS-TEST marker in URL"))
                .contains("\"src_ip\":\"" + CLIENT + "\"");
        String log = awaitFile(dir.resolve("access.log"), "inline service ips (mark:2) ended the connection");
        String exchange = log.lines().filter(l -> l.contains("BLOCK-ME-MARKER")).findFirst().orElseThrow();
        assertThat(exchange).contains("\"status\":502").contains("\"inline\":\"ips via mark:2\"")
                .contains("the inline service ended the connection");
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aFlowTheIpsSilentlyDropsEndsAfterTheResponseTimeoutNamingTheService() throws Exception {
        Curl.Result r = curlFromClient("-w", "\n%{http_code}", "https://origin.test/index.html?SILENT-DROP-MARKER");
        assertThat(r.text()).as(r.stderr()).endsWith("\n502").contains("inline service ips")
                .doesNotContain(Origins.MARKER);
        awaitFile(dir.resolve("access.log"), "inline service ips (mark:2) gave no answer within 2000 ms");
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void withTheIpsGoneTheProbeFailsAndFailClosedBlocks() throws Exception {
        suricata.destroy(); // NFQUEUE without a reader (and without bypass) drops everything: the loop is broken
        assertThat(suricata.waitFor(20, TimeUnit.SECONDS)).isTrue();
        awaitFile(dir.resolve("loupe.out"), "out of rotation");
        Curl.Result r = curlFromClient("-w", "\n%{http_code}", "https://origin.test/index.html?ips-down");
        assertThat(r.text()).endsWith("\n503").contains("ips").doesNotContain(Origins.MARKER);
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void withTheIpsGoneFailOpenSendsStraightToTheOriginAndLogsIt() throws Exception {
        // a second gateway on the same host, explicit proxy only, its L3 service fail-open; the IPS is gone
        Path d = Files.createDirectories(dir.resolve("fail-open"));
        Path config = d.resolve("loupe.yaml");
        Files.writeString(config, """
                data-dir: %s
                listener: {address: 127.0.0.1, port: 18082}
                admin: {port: 0}
                upstream: {extra-ca-bundles: [%s]}
                resolver: {nameservers: ["127.0.0.1:9"], query-timeout: 500ms}
                access-log: {target: %s}
                inline:
                  services:
                    - {name: ips-open, type: l3, marks: [2], server-port: 80, return-port: 15003, return-mark: 3,
                       failure-mode: fail-open, probe-source: 10.78.0.254, probe-destination: 10.78.1.2,
                       health-interval: 500ms}
                """.formatted(d.resolve("data"), dir.resolve("origin-ca.pem"), d.resolve("access.log")));
        failOpen = Net.startLoupe(gw, config, d.resolve("loupe.out"), "return listener for inline L3");
        awaitFile(d.resolve("loupe.out"), "device mark:2: out of rotation");
        Process p = new ProcessBuilder(Partners.require("ip"), "netns", "exec", gw, Partners.require("curl"), "--silent",
                "--max-time", "20", "-w", "\n%{http_code}", "-x", "http://127.0.0.1:18082", "--cacert",
                d.resolve("data/ca.crt").toString(), "https://" + SERVER + "/index.html?fail-open").start();
        String out = new String(p.getInputStream().readAllBytes());
        Partners.finish(p);
        assertThat(out).contains(Origins.MARKER).endsWith("\n200");
        String log = awaitFile(d.resolve("access.log"), "index.html?fail-open");
        assertThat(log.lines().filter(l -> l.contains("index.html?fail-open")).findFirst().orElseThrow())
                .contains("fail-open");
    }

    private static Curl.Result curlFromClient(String... args) throws Exception {
        return Net.curlOrigin(dir, cli, loupeCa, SERVER, args);
    }

    private static String awaitFile(Path file, String fragment) throws Exception {
        return Net.awaitFile(file, fragment, dir.resolve("loupe.out"));
    }

    private static String log() throws Exception {
        return "\nloupe.out:\n" + Files.readString(dir.resolve("loupe.out"));
    }

    private static ProcessBuilder inNamespace(String ns, String... cmd) {
        return Net.inNamespace(ns, cmd);
    }
}
