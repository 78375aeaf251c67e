package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.pki.CaStore;
import dev.loupe.core.pki.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Loupe nodes sharing a virtual address with keepalived (VRRP over a Linux bridge, all in network
 * namespaces), each keepalived asking its node's {@code GET /health}. A client namespace opens new HTTPS
 * connections through the virtual address in a loop while the master's Loupe is killed (the backup takes the
 * address: the failed connections and the window are counted) and then while the new master is stopped with
 * SIGTERM (it drains: health says draining, keepalived gives the address up, the node keeps accepting for
 * {@code shutdown.announce-delay}: no connection started after the move may fail, and before it at most the one
 * in flight at the moment the address moved, which VRRP cannot carry over).
 */
class VrrpPairIT {
    static final String VIP = "10.89.0.100";
    static final String ORIGIN = "10.89.0.30";
    static final String ID = Long.toHexString(System.nanoTime() & 0xfffL);
    static final String SW = "lv-sw-" + ID;
    static final String A = "lv-a-" + ID;
    static final String B = "lv-b-" + ID;
    static final String C = "lv-c-" + ID;
    static final String O = "lv-o-" + ID;

    @TempDir
    static Path dir;
    static final List<Process> started = new ArrayList<>();
    static Process loupeA;
    static Process loupeB;

    @BeforeAll
    static void lab() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String ns : List.of(SW, A, B, C, O)) {
            Net.run("ip", "netns", "add", ns);
            Net.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Net.run("ip", "-n", SW, "link", "add", "br0", "type", "bridge");
        Net.run("ip", "-n", SW, "link", "set", "br0", "up");
        String[][] hosts = {{A, "10.89.0.11", "pa"}, {B, "10.89.0.12", "pb"}, {C, "10.89.0.20", "pc"}, {O, ORIGIN, "po"}};
        for (String[] h : hosts) {
            Net.run("ip", "link", "add", "eth0", "netns", h[0], "type", "veth", "peer", "name", h[2], "netns", SW);
            Net.run("ip", "-n", SW, "link", "set", h[2], "master", "br0");
            Net.run("ip", "-n", SW, "link", "set", h[2], "up");
            Net.run("ip", "-n", h[0], "addr", "add", h[1] + "/24", "dev", "eth0");
            Net.run("ip", "-n", h[0], "link", "set", "eth0", "up");
        }
        Path originDir = Files.createDirectories(dir.resolve("origin"));
        started.add(NamespaceOrigin.start(O, originDir, ORIGIN));
        Files.writeString(dir.resolve("hosts"), ORIGIN + " origin.test\n");
        // one CA for the pair: B gets A's, as 'loupe ca export --pkcs12' / 'loupe ca import' would carry it
        CaStore.in(dir.resolve("a/data")).loadOrCreate(KeyType.EC_P256, Clock.systemUTC());
        CaStore.in(dir.resolve("b/data")).save(CaStore.in(dir.resolve("a/data")).load());
        loupeA = startLoupe("a", A);
        loupeB = startLoupe("b", B);
        started.add(keepalived("a", A, "10.89.0.11", 150));
        started.add(keepalived("b", B, "10.89.0.12", 100));
        awaitVip(A, 10_000);
    }

    @AfterAll
    static void teardown() throws Exception {
        List<Process> all = new ArrayList<>(started);
        all.addAll(Arrays.asList(loupeA, loupeB));
        Net.teardown(all, List.of(C, A, B, O, SW));
    }

    @Test
    void theBackupTakesTheAddressWhenTheMastersLoupeHangsOrDiesAndADrainingNodeLosesNoConnection() throws Exception {
        Path attempts = dir.resolve("attempts.log");
        Path stop = dir.resolve("stop");
        Files.writeString(dir.resolve("load.sh"), """
                n=0
                while [ ! -f %1$s ] && [ $n -lt 3000 ]; do
                  t=$(date +%%s%%3N)
                  out=$(curl -s -o /dev/null -w '%%{http_code} %%{time_total}' --connect-timeout 5 --max-time 8 \\
                    --noproxy '' -x http://%2$s:8080 --cacert %3$s https://origin.test/index.html)
                  echo "$t $out" >> %4$s
                  n=$((n+1))
                done
                """.formatted(stop, VIP, dir.resolve("a/data/ca.crt"), attempts));
        Process load = Net.inNamespace(C, "sh", dir.resolve("load.sh").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("load.out").toFile()).start();
        started.add(load);
        try {
            awaitAttempts(attempts, 20);
            assertThat(failures(attempts, 0, Long.MAX_VALUE)).as("no failure before the events").isEmpty();

            // 1. the master's Loupe hangs (SIGSTOP): its health check times out, B takes the address
            long stoppedAt = System.currentTimeMillis();
            signal("STOP", loupeA);
            awaitVip(B, 10_000);
            long hungMovedAt = System.currentTimeMillis();
            Thread.sleep(1_500);
            signal("CONT", loupeA); // A answers again: a healthy backup (nopreempt: B stays master)
            // the attempt caught on A ends (the loop is sequential: a stalled one can hold it for curl's 8 s max-time)
            awaitSuccessAfter(attempts, hungMovedAt + 500, 15_000);
            Thread.sleep(1_000); // A's check passes again
            report("a hung master's Loupe (SIGSTOP, resumed 1.5 s after the move)", attempts, stoppedAt, hungMovedAt);

            // 2. the master's Loupe dies (SIGKILL): connections are refused until its check fails, then A takes over
            long killedAt = System.currentTimeMillis();
            loupeB.destroyForcibly();
            loupeB.waitFor(10, TimeUnit.SECONDS);
            awaitVip(A, 10_000);
            long movedAt = System.currentTimeMillis();
            Thread.sleep(2_000);
            List<long[]> killFailures = report("a killed master's Loupe (SIGKILL)", attempts, killedAt, movedAt);
            long window = killFailures.isEmpty() ? 0 : killFailures.get(killFailures.size() - 1)[0] - killedAt;
            assertThat(window).as("no failure after the check interval + VRRP takeover").isLessThan(3_000);
            awaitSuccessAfter(attempts, movedAt + 1_000, 15_000);

            // 3. B comes back; then A is stopped with SIGTERM and drains: no new connection may fail
            loupeB = startLoupe("b", B);
            Thread.sleep(1_500); // B's check passes again: B is a healthy backup
            long termAt = System.currentTimeMillis();
            loupeA.destroy(); // SIGTERM
            awaitVip(B, 10_000);
            long backAt = System.currentTimeMillis();
            assertThat(loupeA.waitFor(20, TimeUnit.SECONDS)).as("A exits after its drain").isTrue();
            assertThat(loupeA.exitValue()).isZero();
            Thread.sleep(1_000);
            List<long[]> termFailures = report("SIGTERM on the master (drain, announce-delay 3s)", attempts, termAt,
                    backAt);
            // a connection in flight on the old master when the address moves is cut (VRRP moves no TCP state);
            // every connection started after the move, and all but that one before it, succeed
            assertThat(termFailures).as("failed attempts around the drain").hasSizeLessThanOrEqualTo(1)
                    .allSatisfy(f -> assertThat(f[0]).as("started before the address moved").isLessThan(backAt));
            awaitSuccessAfter(attempts, backAt + 500, 15_000);
            assertThat(Files.readString(dir.resolve("a/loupe.out"))).contains("draining (SIGTERM)");
        } finally {
            Files.writeString(stop, "");
            load.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void signal(String name, Process p) throws Exception {
        Net.run("kill", "-" + name, String.valueOf(p.pid()));
    }

    /** Prints what the clients saw from {@code from} until now, and returns the failed attempts. */
    private static List<long[]> report(String event, Path attempts, long from, long movedAt) throws Exception {
        long now = System.currentTimeMillis();
        List<long[]> failed = failures(attempts, from, now);
        long last = failed.isEmpty() ? 0 : failed.get(failed.size() - 1)[0] - from;
        System.out.printf("VRRP, %s: address moved after %d ms; %d failed connections%s; slowest successful "
                + "connection %d ms%n", event, movedAt - from, failed.size(),
                failed.isEmpty() ? "" : ", the last started " + last + " ms after the event",
                slowestMillis(attempts, from, now));
        return failed;
    }

    private static Process startLoupe(String name, String ns) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        Path config = home.resolve("loupe.yaml");
        Files.writeString(config, """
                data-dir: %s
                listener: {address: 0.0.0.0, port: 8080, allowed-clients: [10.89.0.0/24]}
                admin: {address: 127.0.0.1, port: 8081}
                upstream: {extra-ca-bundles: [%s]}
                resolver: {hosts-file: %s, nameservers: ["127.0.0.1:9"], query-timeout: 500ms}
                access-log: {target: %s}
                shutdown: {announce-delay: 3s, drain-timeout: 10s}
                """.formatted(home.resolve("data"), dir.resolve("origin/origin-ca.pem"), dir.resolve("hosts"),
                home.resolve("access.log")));
        return Net.startLoupe(ns, config, home.resolve("loupe.out"), "Loupe listening on");
    }

    /** keepalived with a check that asks the node's health endpoint; nopreempt so a node that returns waits. */
    private static Process keepalived(String name, String ns, String address, int priority) throws Exception {
        Path conf = dir.resolve("ka-" + name + ".conf");
        Files.writeString(conf, """
                global_defs {
                  router_id %1$s
                  script_user root
                  enable_script_security
                  vrrp_garp_master_delay 1
                  vrrp_garp_master_repeat 3
                }
                vrrp_script loupe_health {
                  script "%2$s -fsS -m 1 -o /dev/null http://127.0.0.1:8081/health"
                  interval 1
                  timeout 2
                  fall 1
                  rise 1
                }
                vrrp_instance VI_1 {
                  state BACKUP
                  nopreempt
                  interface eth0
                  virtual_router_id 89
                  priority %3$d
                  advert_int 1
                  virtual_ipaddress {
                    %4$s/24 dev eth0
                  }
                  track_script {
                    loupe_health
                  }
                }
                """.formatted(name + "-" + ID, Partners.require("curl"), priority, VIP));
        Files.deleteIfExists(dir.resolve("ka-" + name + ".pid"));
        return Net.inNamespace(ns, Partners.require("keepalived"), "-n", "-l", "-D", "-G", "-P", "-f", conf.toString(),
                "-p", dir.resolve("ka-" + name + ".pid").toString(), "-r", dir.resolve("ka-" + name + "-vrrp.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("ka-" + name + ".out").toFile()).start();
    }

    private static void awaitVip(String ns, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Process p = new ProcessBuilder("ip", "-n", ns, "-4", "addr", "show", "dev", "eth0").start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (out.contains(VIP + "/")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(VIP + " not on " + ns + " after " + timeoutMillis + " ms:\n"
                + Files.readString(dir.resolve("ka-a.out")) + "\n" + Files.readString(dir.resolve("ka-b.out")));
    }

    private static void awaitAttempts(Path log, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(log) || Files.readAllLines(log).size() < count) {
            assertThat(System.currentTimeMillis()).as("client attempts").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Attempts that did not get the page (curl's code 000 or a gateway error), as {time, code}, in [from, to). */
    private static List<long[]> failures(Path log, long from, long to) throws Exception {
        List<long[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                long t = Long.parseLong(f[0]);
                if (t >= from && t < to && !f[1].equals("200")) {
                    out.add(new long[] {t, Long.parseLong(f[1])});
                }
            }
        }
        return out;
    }

    private static long succeeded(Path log, long after) throws Exception {
        return Files.readAllLines(log).stream().map(l -> l.trim().split(" "))
                .filter(f -> f.length == 3 && Long.parseLong(f[0]) >= after && f[1].equals("200")).count();
    }

    private static void awaitSuccessAfter(Path log, long after, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (succeeded(log, after) == 0) {
            assertThat(System.currentTimeMillis()).as("a connection succeeds through the new master").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The slowest successful attempt started in [from, to), in ms: what a user waited during a switch. */
    private static long slowestMillis(Path log, long from, long to) throws Exception {
        return Files.readAllLines(log).stream().map(l -> l.trim().split(" "))
                .filter(f -> f.length == 3 && f[1].equals("200") && Long.parseLong(f[0]) >= from
                        && Long.parseLong(f[0]) < to)
                .mapToLong(f -> Math.round(Double.parseDouble(f[2]) * 1000)).max().orElse(0);
    }
}
