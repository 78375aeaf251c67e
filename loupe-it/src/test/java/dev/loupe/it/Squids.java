package dev.loupe.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real squid instances as inline filtering proxies (no bumping): each denies URLs containing
 * {@code /forbidden/} with its own 403 page and sends everything else to one parent proxy, Loupe's return
 * listener. Stopped by the PIDs this fixture started.
 */
final class Squids implements AutoCloseable {
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();

    private Squids(Path dir, int count, int parentPort) throws Exception {
        this.dir = dir;
        for (Path p = dir; p != null && p.startsWith(dir.getParent()); p = p.getParent()) {
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (int i = 0; i < count; i++) {
            ports.add(Partners.freePort());
            processes.add(start(i, parentPort));
        }
        for (int port : ports) {
            Partners.awaitPort(port, 20_000);
        }
    }

    static Squids start(Path dir, int count, int parentPort) throws Exception {
        return new Squids(dir, count, parentPort);
    }

    String device(int i) {
        return "127.0.0.1:" + ports.get(i);
    }

    private Process start(int index, int parentPort) throws IOException {
        Path home = Files.createDirectories(dir.resolve("squid-" + index));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx")); // squid runs as proxy
        Files.writeString(home.resolve("hosts"), "127.0.0.1 localhost\n");
        Path conf = home.resolve("squid.conf");
        Files.writeString(conf, """
                http_port 127.0.0.1:%2$d
                visible_hostname loupe-it-squid-%3$d
                cache_peer 127.0.0.1 parent %4$d 0 no-query no-digest default name=loupe
                never_direct allow all
                acl forbidden url_regex -i /forbidden/
                http_access deny forbidden
                http_access allow localhost
                http_access deny all
                cache deny all
                pid_filename %1$s/squid.pid
                cache_log %1$s/cache.log
                access_log stdio:%1$s/access.log
                strip_query_terms off
                coredump_dir %1$s
                pinger_enable off
                shutdown_lifetime 1 seconds
                dns_nameservers 127.0.0.1
                hosts_file %1$s/hosts
                """.formatted(home, ports.get(index), index, parentPort));
        return new ProcessBuilder(Partners.require("squid"), "-N", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("squid.out").toFile()).start();
    }

    /** Client requests squid logged (one access-log line each), Loupe's own loop probes left out. */
    long requests(int i) throws IOException {
        return clientRequests(i).size();
    }

    /** The access-log lines of client requests: every line but Loupe's probes (to loupe-probe.invalid). */
    java.util.List<String> clientRequests(int i) throws IOException {
        Path log = dir.resolve("squid-" + i + "/access.log");
        return Files.exists(log) ? Files.readAllLines(log).stream()
                .filter(l -> !l.isBlank() && !l.contains("loupe-probe.invalid")).toList() : java.util.List.of();
    }

    void stop(int i) throws InterruptedException {
        Process p = processes.get(i);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < processes.size(); i++) {
            if (processes.get(i).isAlive()) {
                stop(i);
            }
        }
    }
}
