package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An inline L3 service with two devices (marks 2 and 4), each a real Suricata IPS in its own namespace.
 * Flows are spread over both by hash; each flow crosses exactly one IPS in both directions (the operator's
 * connmark routing sends the return listener's replies back through the device the flow came in from);
 * each device is probed through itself; with one IPS gone, that device leaves the rotation and every flow
 * goes through the other.
 * <pre>
 * [cli] c0 10.78.0.2 == g0 [gw: Loupe] g1 == s0 10.78.1.2 [srv: nginx]
 *   [gw] i0 10.78.2.1 == x0 [ipsA] x1 == i1 10.78.3.1 [gw]     (mark 2 out, ct mark 3 back)
 *   [gw] i2 10.78.4.1 == y0 [ipsB] y1 == i3 10.78.5.1 [gw]     (mark 4 out, ct mark 5 back)
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InlineL3TwoDevicesIT {
    static final String CLIENT = "10.78.0.2";
    static final String SERVER = "10.78.1.2";
    static final int FLOWS = 16;

    @TempDir
    static Path dir;
    static String id = Long.toHexString(System.nanoTime() & 0xffffL);
    static String cli = "l3b-cli-" + id;
    static String gw = "l3b-gw-" + id;
    static String ipsA = "l3b-ipa-" + id;
    static String ipsB = "l3b-ipb-" + id;
    static String srv = "l3b-srv-" + id;
    static Process nginx;
    static Process suricataA;
    static Process suricataB;
    static Process loupe;

    @BeforeAll
    static void lab() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String ns : List.of(cli, gw, ipsA, ipsB, srv)) {
            Net.run("ip", "netns", "add", ns);
            Net.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Net.veth(cli, "c0", "10.78.0.2/24", gw, "g0", "10.78.0.1/24");
        Net.veth(gw, "g1", "10.78.1.1/24", srv, "s0", "10.78.1.2/24");
        Net.veth(gw, "i0", "10.78.2.1/24", ipsA, "x0", "10.78.2.2/24");
        Net.veth(ipsA, "x1", "10.78.3.2/24", gw, "i1", "10.78.3.1/24");
        Net.veth(gw, "i2", "10.78.4.1/24", ipsB, "y0", "10.78.4.2/24");
        Net.veth(ipsB, "y1", "10.78.5.2/24", gw, "i3", "10.78.5.1/24");
        Net.run("ip", "-n", cli, "route", "add", "default", "via", "10.78.0.1");
        Net.run("ip", "-n", srv, "route", "add", "default", "via", "10.78.1.1");
        // each IPS forwards between its two legs of the gateway
        Net.run("ip", "-n", ipsA, "route", "add", "10.78.1.0/24", "via", "10.78.3.1");
        Net.run("ip", "-n", ipsA, "route", "add", "10.78.0.0/24", "via", "10.78.2.1");
        Net.run("ip", "-n", ipsB, "route", "add", "10.78.1.0/24", "via", "10.78.5.1");
        Net.run("ip", "-n", ipsB, "route", "add", "10.78.0.0/24", "via", "10.78.4.1");
        for (String ns : List.of(gw, ipsA, ipsB)) {
            Net.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            for (String conf : List.of("all", "default")) {
                Net.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf." + conf + ".rp_filter=0");
            }
        }
        for (String dev : List.of("g0", "g1", "i0", "i1", "i2", "i3")) {
            Net.run("ip", "netns", "exec", gw, "sysctl", "-qw", "net.ipv4.conf." + dev + ".rp_filter=0");
        }
        for (String[] ipsDevs : new String[][] {{ipsA, "x0", "x1"}, {ipsB, "y0", "y1"}}) {
            for (int i = 1; i < 3; i++) {
                Net.run("ip", "netns", "exec", ipsDevs[0], "sysctl", "-qw",
                        "net.ipv4.conf." + ipsDevs[i] + ".rp_filter=0");
            }
        }
        nginx = NamespaceOrigin.start(srv, dir, SERVER);
        suricataA = NfqueueIps.start(ipsA, dir.resolve("ips-a"));
        suricataB = NfqueueIps.start(ipsB, dir.resolve("ips-b"));
        startLoupe();
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
                    - {name: ips, type: l3, marks: [2, 4], server-port: 80, return-port: 15002, return-mark: 3,
                       probe-source: 10.78.0.254, probe-destination: 10.78.1.2, health-interval: 500ms,
                       response-timeout: 2s}
                """.formatted(dir.resolve("data"), dir.resolve("origin-ca.pem"), dir.resolve("access.log")));
        LoupeProcess.Result rules = LoupeProcess.run(dir, "transparent", "rules", "--config", config.toString());
        assertThat(rules.exitCode()).as(rules.stderr()).isZero();
        // the README's recipe for several L3 devices: each mark routes out through its device; a flow coming
        // back from a device stamps its connection (ct mark), and the return listener's replies (mark 3)
        // take the ct mark's route, back through the same device
        Files.writeString(dir.resolve("rules.sh"), rules.stdout() + """
                sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1
                ip rule add fwmark 0x2 lookup 102
                ip route add default via 10.78.2.2 dev i0 table 102
                ip rule add fwmark 0x4 lookup 104
                ip route add default via 10.78.4.2 dev i2 table 104
                ip rule add fwmark 0x3 lookup 103
                ip route add default via 10.78.3.2 dev i1 table 103
                ip rule add fwmark 0x5 lookup 105
                ip route add default via 10.78.5.2 dev i3 table 105
                nft add rule inet loupe divert iifname "i1" tcp dport 80 ct mark set 0x3 tproxy ip to :15002 meta mark set 0x1 accept
                nft add rule inet loupe divert iifname "i3" tcp dport 80 ct mark set 0x5 tproxy ip to :15002 meta mark set 0x1 accept
                nft add chain inet loupe return_route '{ type route hook output priority mangle; policy accept; }'
                nft add rule inet loupe return_route meta mark 0x3 ct mark 0x5 meta mark set ct mark
                """);
        Net.run("ip", "netns", "exec", gw, "sh", dir.resolve("rules.sh").toString());
        loupe = Net.startLoupe(gw, config, dir.resolve("loupe.out"), "return listener for inline L3");
        awaitFile(dir.resolve("loupe.out"), "device mark:2: back in rotation");
        awaitFile(dir.resolve("loupe.out"), "device mark:4: back in rotation");
    }

    @AfterAll
    static void teardown() throws Exception {
        Net.teardown(java.util.Arrays.asList(loupe, suricataA, suricataB, nginx), List.of(cli, gw, ipsA, ipsB, srv));
    }

    @Test
    @Order(1)
    void eachDeviceIsProbedThroughItself() throws Exception {
        assertThat(awaitFile(dir.resolve("ips-a/eve.json"), "/loupe-probe/")).contains("\"src_ip\":\"10.78.0.254\"");
        assertThat(awaitFile(dir.resolve("ips-b/eve.json"), "/loupe-probe/")).contains("\"src_ip\":\"10.78.0.254\"");
    }

    @Test
    @Order(2)
    void flowsAreSpreadOverBothDevicesAndEachCrossesOneOfThemBothWays() throws Exception {
        for (int i = 0; i < FLOWS; i++) {
            Curl.Result r = curlFromClient("https://origin.test/index.html?flow=" + i);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.text()).contains(Origins.MARKER);
        }
        List<String> log = clientRecords("?flow=", FLOWS);
        int viaA = 0;
        int viaB = 0;
        List<String[]> notSeen = new ArrayList<>();
        for (int i = 0; i < FLOWS; i++) {
            String uri = "/index.html?flow=" + i + "\"";
            // the client's side of the exchange names the device (the return leg logs its own record)
            String exchange = log.stream().filter(l -> l.contains(uri) && l.contains("\"inline\"")).findFirst()
                    .orElseThrow(() -> new AssertionError("no client-side record of " + uri + " in " + log));
            boolean a = exchange.contains("\"inline\":\"ips via mark:2\"");
            boolean b = exchange.contains("\"inline\":\"ips via mark:4\"");
            assertThat(a ^ b).as("one device named: " + exchange).isTrue();
            String seenBy = a ? "ips-a" : "ips-b";
            String other = a ? "ips-b" : "ips-a";
            // the HTTP event carries the response status only if the answer crossed the same IPS
            String event = httpEvent(seenBy, uri);
            assertThat(event).as("flow " + i + " in " + seenBy).isNotNull();
            assertThat(event).contains("\"src_ip\":\"" + CLIENT + "\"").contains("\"dest_ip\":\"" + SERVER + "\"")
                    .contains("\"status\":200");
            notSeen.add(new String[] {other, uri});
            viaA += a ? 1 : 0;
            viaB += b ? 1 : 0;
        }
        // by now each IPS has logged what it saw: a flow must not show in the other one
        for (String[] absent : notSeen) {
            assertThat(httpEvent(absent[0], absent[1], 0)).as(absent[1] + " also in " + absent[0]).isNull();
        }
        assertThat(viaA).as("flows via mark:2").isPositive();
        assertThat(viaB).as("flows via mark:4").isPositive();
    }

    @Test
    @Order(3)
    void withOneIpsGoneItsDeviceLeavesTheRotationAndEveryFlowTakesTheOther() throws Exception {
        String down = "device mark:4: out of rotation";
        long downBefore = occurrences(Files.readString(dir.resolve("loupe.out")), down); // a slow start logs one
        suricataB.destroy(); // NFQUEUE without a reader drops everything: device mark:4's loop is broken
        assertThat(suricataB.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long deadline = System.currentTimeMillis() + 10_000;
        while (occurrences(Files.readString(dir.resolve("loupe.out")), down) == downBefore) {
            assertThat(System.currentTimeMillis()).as("mark:4 taken out").isLessThan(deadline);
            Thread.sleep(100);
        }
        for (int i = 0; i < 8; i++) {
            Curl.Result r = curlFromClient("https://origin.test/index.html?after=" + i);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.text()).contains(Origins.MARKER);
        }
        List<String> after = clientRecords("?after=", 8);
        assertThat(after).hasSize(8).allMatch(l -> l.contains("\"inline\":\"ips via mark:2\""));
        assertThat(httpEvent("ips-a", "/index.html?after=7\"")).isNotNull();
        assertThat(Files.readString(dir.resolve("loupe.out"))).as(drops("ips-a"))
                .doesNotContain("device mark:2: out of rotation");
    }

    /** What an IPS logged as dropped: the first thing to read when a probe through it failed. */
    private static String drops(String ips) throws Exception {
        Path eve = dir.resolve(ips).resolve("eve.json");
        return Files.exists(eve) ? String.join("\n", Files.readAllLines(eve).stream()
                .filter(l -> l.contains("\"event_type\":\"drop\"")).toList()) : "";
    }

    private static long occurrences(String text, String fragment) {
        return text.lines().filter(l -> l.contains(fragment)).count();
    }

    /** The HTTP event of {@code uri} in one IPS's eve.json (waiting a little for it to be written), or null. */
    private static String httpEvent(String ips, String uri) throws Exception {
        return httpEvent(ips, uri, 5_000);
    }

    private static String httpEvent(String ips, String uri, long waitMillis) throws Exception {
        Path eve = dir.resolve(ips).resolve("eve.json");
        long deadline = System.currentTimeMillis() + waitMillis;
        do {
            if (Files.exists(eve)) {
                String found = Files.readAllLines(eve).stream()
                        .filter(l -> l.contains("\"event_type\":\"http\"") && l.contains(uri)).findFirst().orElse(null);
                if (found != null) {
                    return found;
                }
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        return null;
    }

    private static Curl.Result curlFromClient(String... args) throws Exception {
        return Net.curlOrigin(dir, cli, dir.resolve("data/ca.crt"), SERVER, args);
    }

    /**
     * The client-side access-log records (those naming the inline device) whose URL contains {@code query}, once
     * {@code count} of them are written (10 s at most). The return leg logs its own record of the same URL, and
     * either may be written first, so waiting for the URL alone is not enough.
     */
    private static List<String> clientRecords(String query, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        List<String> records;
        do {
            Path log = dir.resolve("access.log");
            records = Files.exists(log) ? Files.readAllLines(log).stream()
                    .filter(l -> l.contains(query) && l.contains("\"inline\"")).toList() : List.of();
            if (records.size() >= count) {
                return records;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        return records;
    }

    private static String awaitFile(Path file, String fragment) throws Exception {
        return Net.awaitFile(file, fragment, dir.resolve("loupe.out"));
    }
}
