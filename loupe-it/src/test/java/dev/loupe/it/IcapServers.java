package dev.loupe.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real ICAP servers for the tests: one clamd with local signatures only (no freshclam, no network) and
 * any number of c-icap instances running the virus_scan service against it, each on its own loopback
 * port with its own logs. Every process is stopped by the PID this fixture started.
 */
final class IcapServers implements AutoCloseable {
    /** The EICAR test file: every antivirus detects it, and here a local signature does. */
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    static final String THREAT = "Local.Test.EICAR-NDB.UNOFFICIAL";
    /** A host c-icap's url_check service blocks. */
    static final String BLOCKED_HOST = "blocked.test";

    private final Path dir;
    private final Process clamd;
    private final String extraConfig;
    private final List<Process> servers = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();

    private IcapServers(Path dir, int count, String extraConfig) throws Exception {
        this.dir = dir;
        this.extraConfig = extraConfig;
        Files.createDirectories(dir.resolve("db"));
        // c-icap drops to user c-icap: it must reach its config, logs and the clamd socket
        for (Path p = dir; p != null && p.startsWith(dir.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(dir.resolve("db/local.ndb"),
                "Local.Test.EICAR-NDB:0:*:45494341522d5354414e444152442d414e544956495255532d544553542d46494c45\n");
        Files.writeString(dir.resolve("blockhosts.txt"), BLOCKED_HOST + "\n");
        Path socket = dir.resolve("clamd.sock");
        Files.writeString(dir.resolve("clamd.conf"), """
                LocalSocket %1$s
                FixStaleSocket yes
                LocalSocketMode 666
                DatabaseDirectory %2$s/db
                Foreground yes
                SelfCheck 0
                LogFile %2$s/clamd.log
                """.formatted(socket, dir));
        clamd = new ProcessBuilder(Partners.require("clamd"), "-c", dir.resolve("clamd.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("clamd.out").toFile()).start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(socket)) {
            if (!clamd.isAlive() || System.currentTimeMillis() > deadline) {
                throw new AssertionError("clamd did not start: " + Files.readString(dir.resolve("clamd.out")));
            }
            Thread.sleep(50);
        }
        for (int i = 0; i < count; i++) {
            ports.add(Partners.freePort());
            servers.add(startServer(i));
        }
        for (int port : ports) {
            Partners.awaitPort(port, 10_000);
        }
    }

    static IcapServers start(Path dir, int count) throws Exception {
        return new IcapServers(dir, count, "");
    }

    /** As {@link #start(Path, int)}, with more c-icap configuration lines (services, their options). */
    static IcapServers start(Path dir, int count, String extraConfig) throws Exception {
        return new IcapServers(dir, count, extraConfig);
    }

    /** {@code icap://127.0.0.1:port/name}: any service the extra configuration declared. */
    String serviceUri(int server, String name) {
        return "icap://127.0.0.1:" + ports.get(server) + "/" + name;
    }

    /** {@code icap://127.0.0.1:port/avscan}: virus_scan, whole body before the verdict (no trickling). */
    String uri(int server) {
        return "icap://127.0.0.1:" + ports.get(server) + "/avscan";
    }

    /** {@code icap://127.0.0.1:port/url_check}: a REQMOD URL filter blocking {@link #BLOCKED_HOST}. */
    String urlCheckUri(int server) {
        return "icap://127.0.0.1:" + ports.get(server) + "/url_check";
    }

    private Process startServer(int index) throws IOException {
        Path home = dir.resolve("c-icap-" + index);
        for (String sub : new String[] {"run", "log", "tmp"}) {
            Path p = Files.createDirectories(home.resolve(sub));
            chownToCicap(p);
        }
        Path conf = home.resolve("c-icap.conf");
        Files.writeString(conf, """
                PidFile %1$s/run/c-icap.pid
                CommandsSocket %1$s/run/c-icap.ctl
                Timeout 120
                MaxKeepAliveRequests 0
                KeepAliveTimeout 600
                StartServers 1
                MaxServers 2
                MinSpareThreads 5
                MaxSpareThreads 20
                ThreadsPerChild 20
                Port 127.0.0.1:%2$d
                User c-icap
                TmpDir %1$s/tmp
                MaxMemObject 131072
                DebugLevel 1
                ModulesDir /usr/lib/x86_64-linux-gnu/c_icap
                ServicesDir /usr/lib/x86_64-linux-gnu/c_icap
                TemplateDir /usr/share/c_icap/templates/
                TemplateDefaultLanguage en
                LoadMagicFile /etc/c-icap/c-icap.magic
                ServerLog %1$s/log/server.log
                LogFormat loupe "%%im %%iu %%is client=%%>a server=%%<A"
                AccessLog %1$s/log/access.log loupe
                Module common clamd_mod.so
                clamd_mod.ClamdSocket %3$s
                Service antivirus_module virus_scan.so
                ServiceAlias avscan virus_scan?allow204=on&sizelimit=off&mode=simple
                virus_scan.ScanFileTypes TEXT DATA EXECUTABLE ARCHIVE GIF JPEG MSOFFICE
                virus_scan.SendPercentData 0
                virus_scan.StartSendPercentDataAfter 2G
                virus_scan.MaxObjectSize 2G
                virus_scan.DefaultEngine clamd
                Service url_check_module srv_url_check.so
                url_check.LookupTableDB blockhosts host file:%4$s "Blocked test hosts"
                url_check.Profile default block blockhosts
                """.formatted(home, ports.get(index), dir.resolve("clamd.sock"), dir.resolve("blockhosts.txt"))
                + extraConfig);
        return new ProcessBuilder(Partners.require("c-icap"), "-N", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("c-icap.out").toFile()).start();
    }

    /** Lines c-icap wrote to its access log: one per ICAP request it served. */
    long requestsServed(int server) throws IOException {
        Path log = dir.resolve("c-icap-" + server + "/log/access.log");
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    /** Access-log lines of one ICAP method ({@code OPTIONS}, {@code REQMOD}, {@code RESPMOD}) for one service. */
    long served(int server, String method, String service) throws IOException {
        return accessLog(server).stream().filter(l -> l.startsWith(method + " " + service + " ")).count();
    }

    /** Lines of one server's access log: ICAP method, URL, status, and the X-Client-IP / X-Server-IP it got. */
    List<String> accessLog(int server) throws IOException {
        Path log = dir.resolve("c-icap-" + server + "/log/access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Starts a stopped server again on its port. */
    void restart(int server) throws Exception {
        Files.deleteIfExists(dir.resolve("c-icap-" + server + "/run/c-icap.pid"));
        Files.deleteIfExists(dir.resolve("c-icap-" + server + "/run/c-icap.ctl"));
        servers.set(server, startServer(server));
        Partners.awaitPort(ports.get(server), 10_000);
    }

    /** Stops one server (SIGTERM to its main process, which stops its children) and waits for the port to close. */
    void stop(int server) throws InterruptedException {
        Process p = servers.get(server);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (var s = new java.net.Socket("127.0.0.1", ports.get(server))) {
                Thread.sleep(50);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void chownToCicap(Path p) throws IOException {
        var lookup = p.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(p, lookup.lookupPrincipalByName("c-icap"));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
        }
        for (Process p : servers) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        clamd.destroy();
        if (!clamd.waitFor(5, TimeUnit.SECONDS)) {
            clamd.destroyForcibly();
        }
    }
}
