package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.gateway.mirror.MirrorSinkStats;
import dev.loupe.it.Origins.Site;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror never slows traffic: a PCAP-over-IP reader that reads nothing costs dropped frames
 * (counted), not download speed. The speed is compared with the mirror off, in the same run.
 */
class MirrorSlowReaderIT {
    static final long SIZE = 1024L * 1024 * 1024;

    @TempDir
    Path dir;
    private String expected;

    @Test
    void oneGibibyteWithAStalledReaderKeepsItsSpeedAndCountsDrops() throws Exception {
        try (Origins origins = Origins.start(dir.resolve("origins"))) {
            // every word its own offset: the download's hash proves nothing was lost or reordered on the way
            Origins.writeOffsetPattern(origins.www.resolve("1g.bin"), SIZE);
            expected = Origins.sha256(origins.www.resolve("1g.bin"));
            double baseline = download(origins, Files.createDirectories(dir.resolve("off")), "");
            int port = Partners.freePort();
            double mirrored;
            MirrorSinkStats stats;
            Path on = Files.createDirectories(dir.resolve("on"));
            try (GatewayUnderTest loupe = GatewayUnderTest.start(on, origins, """
                    mirror:
                      sinks: [{type: pcap-over-ip, port: %d, buffer-bytes: 1048576}]
                    """.formatted(port));
                 Socket stalled = new Socket("127.0.0.1", port)) {
                stalled.setReceiveBufferSize(4096); // and never read from it
                Thread.sleep(200);
                mirrored = timedDownload(loupe, origins, on);
                stats = loupe.gateway.services().mirror().stats().get(0);
                long queueDrops = loupe.gateway.services().mirror().droppedEvents();
                System.out.printf("1 GiB: %.0f MB/s mirror off, %.0f MB/s mirror on with a stalled reader "
                        + "(ratio %.2f); sink %s; events dropped before synthesis: %d%n",
                        baseline, mirrored, mirrored / baseline, stats, queueDrops);
                assertThat(stats.framesDropped() + queueDrops).as("drops are counted").isPositive();
                assertThat(loupe.metrics()).containsPattern(
                        "loupe_mirror_frames_dropped_total\\{sink=\"pcap-over-ip:[^\"]+\"} [1-9]");
            }
            assertThat(mirrored / baseline).as("download speed with the mirror on / off").isGreaterThan(0.5);
        }
    }

    private double download(Origins origins, Path d, String yaml) throws Exception {
        try (GatewayUnderTest loupe = GatewayUnderTest.start(d, origins, yaml)) {
            return timedDownload(loupe, origins, d);
        }
    }

    /** MB/s of one 1 GiB download through {@code loupe}, checked for size. */
    private double timedDownload(GatewayUnderTest loupe, Origins origins, Path d) throws Exception {
        Path out = d.resolve("1g.out");
        Curl.Result r = Curl.run(d, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-o", out.toString(),
                "-w", "%{size_download} %{speed_download}", origins.url(Site.GOOD, "/1g.bin"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String[] fields = r.text().strip().split(" ");
        assertThat(Long.parseLong(fields[0])).isEqualTo(SIZE);
        assertThat(Origins.sha256(out)).as("content intact").isEqualTo(expected);
        Files.delete(out);
        return Double.parseDouble(fields[1]) / 1e6;
    }
}
