package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB download scanned by RESPMOD (c-icap + ClamAV) through a gateway whose heap is capped at 64 MiB:
 * the body is held in a spool file beyond 1 MiB, so it arrives whole and the gateway never runs out of heap.
 */
class IcapLargeBodyIT {
    static final long SIZE = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void oneGibibyteThroughRespmodWithA64MebibyteHeap() throws Exception {
        try (IcapServers icap = IcapServers.start(dir.resolve("icap"), 1);
             Origins origins = Origins.start(dir.resolve("origins"))) {
            // every word its own offset: a spool that returns chunks out of order changes the hash
            Origins.writeOffsetPattern(origins.www.resolve("1g.bin"), SIZE);
            int port = Partners.freePort();
            Path data = dir.resolve("data");
            Path spool = Files.createDirectories(dir.resolve("spool"));
            Path config = dir.resolve("loupe.yaml");
            Files.writeString(config, """
                    data-dir: %s
                    listener: {port: %d}
                    upstream: {extra-ca-bundles: [%s], local-destinations: allow}
                    resolver: {hosts-file: %s, nameservers: ["127.0.0.1:%d"], query-timeout: 500ms}
                    access-log: {target: %s}
                    admin: {port: 0}
                    icap:
                      spool-memory-bytes: 1048576
                      spool-directory: %s
                      services:
                        - name: av
                          mode: respmod
                          servers: [%s]
                          max-body-bytes: 2147483648
                          timeout: 300s
                    """.formatted(data, port, origins.originCa, origins.hostsFile, Partners.freePort(),
                    dir.resolve("access.log"), spool, icap.uri(0)));
            Process gateway = LoupeProcess.builder(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"),
                            "run", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.out").toFile()).start();
            try {
                Partners.awaitPort(port, 30_000);
                Path out = dir.resolve("1g.out");
                Curl.Result r = Curl.run(dir, "--max-time", "280", "-x", "http://127.0.0.1:" + port, "--cacert",
                        data.resolve("ca.crt").toString(), "-o", out.toString(), "-w", "%{http_code}",
                        origins.url(Site.GOOD, "/1g.bin"));
                assertThat(r.exitCode()).as(r.stderr() + Files.readString(dir.resolve("gateway.out"))).isZero();
                assertThat(r.text()).isEqualTo("200");
                assertThat(Files.size(out)).isEqualTo(SIZE);
                assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("1g.bin")));
                assertThat(gateway.isAlive()).as("gateway survived").isTrue();
                assertThat(Files.readString(dir.resolve("access.log")))
                        .contains("\"service\":\"av\",\"mode\":\"respmod\",\"result\":\"unmodified\"");
                // spool files are unlinked as soon as they are opened: what matters is that none is still open
                assertThat(openFilesUnder(gateway.pid(), spool)).as("spool files still open in the gateway").isEmpty();
            } finally {
                gateway.destroy();
                gateway.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The gateway's open file descriptors whose target lies under {@code dir} (deleted files included). */
    static List<String> openFilesUnder(long pid, Path dir) throws Exception {
        List<String> open = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString())) {
                        open.add(target);
                    }
                } catch (java.nio.file.NoSuchFileException closedMeanwhile) {
                    // the descriptor closed while listing
                }
            }
        }
        assertThat(Files.isDirectory(Path.of("/proc", String.valueOf(pid), "fd"))).as("the gateway's fds readable").isTrue();
        return open;
    }
}
