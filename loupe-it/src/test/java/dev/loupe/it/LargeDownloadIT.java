package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MiB download streams through a gateway whose heap is capped far below the body size, byte
 * exact, with the client reading slower than the origin can send (so back-pressure must hold).
 */
class LargeDownloadIT {
    static final long SIZE = 200L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void twoHundredMebibytesThroughA64MebibyteHeap() throws Exception {
        try (Origins origins = Origins.startWithBigFile(dir.resolve("origins"))) {
            int port = Partners.freePort();
            Path data = dir.resolve("data");
            Path config = dir.resolve("loupe.yaml");
            Files.writeString(config, """
                    data-dir: %s
                    listener: {port: %d}
                    upstream: {extra-ca-bundles: [%s], local-destinations: allow}
                    resolver: {hosts-file: %s, nameservers: ["127.0.0.1:%d"], query-timeout: 500ms}
                    access-log: {target: %s}
                    admin: {port: 0}
                    """.formatted(data, port, origins.originCa, origins.hostsFile, Partners.freePort(),
                    dir.resolve("access.log")));
            Process gateway = LoupeProcess.builder(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"),
                            "run", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.out").toFile()).start();
            try {
                Partners.awaitPort(port, 30_000);
                AtomicLong peakRssKib = new AtomicLong();
                java.util.concurrent.atomic.AtomicReference<Throwable> samplingError = new java.util.concurrent.atomic.AtomicReference<>();
                Thread sampler = Thread.ofVirtual().start(() -> sampleRss(gateway.pid(), peakRssKib, samplingError));
                Path out = dir.resolve("200m.out");
                Curl.Result r = Curl.run(dir, "-x", "http://127.0.0.1:" + port, "--cacert",
                        data.resolve("ca.crt").toString(), "--limit-rate", "100M", "-o", out.toString(),
                        origins.url(Site.GOOD, "/200m.bin"));
                sampler.interrupt();
                sampler.join(5_000);
                assertThat(samplingError.get()).as("RSS sampling failed").isNull();
                assertThat(peakRssKib.get()).as("RSS was sampled").isPositive();
                assertThat(r.exitCode()).as(r.stderr() + Files.readString(dir.resolve("gateway.out"))).isZero();
                assertThat(Files.size(out)).isEqualTo(SIZE);
                assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("200m.bin")));
                assertThat(gateway.isAlive()).as("gateway survived").isTrue();
                // The caps above are the proof (a gateway that buffered the body would fail with
                // OutOfMemoryError); RSS adds metaspace, code cache and thread stacks on top of them.
                assertThat(peakRssKib.get()).as("peak RSS KiB").isLessThan(256 * 1024);
            } finally {
                gateway.destroy();
                gateway.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void sampleRss(long pid, AtomicLong peak, java.util.concurrent.atomic.AtomicReference<Throwable> error) {
        Path status = Path.of("/proc/" + pid + "/status");
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        peak.accumulateAndGet(kib, Math::max);
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                error.set(e); // a peak of 0 must not pass for a small one
                return;
            }
        }
    }
}
