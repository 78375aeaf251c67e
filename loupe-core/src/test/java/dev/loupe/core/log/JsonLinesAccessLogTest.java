package dev.loupe.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAccessLogTest {
    private final ObjectMapper json = new ObjectMapper();

    private static ExchangeRecord exchange(int sequence) {
        return new ExchangeRecord("exchange", "2026-12-04T00:00:00Z", "c1", sequence, "GET", "https://a.test/"
                + sequence, 200, 0, 1024, 1, 2, "ok", null, null, "h2", null);
    }

    @Test
    void everyRecordReachesTheFileInOrderAsOneSnakeCaseLineWithoutNulls(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        JsonLinesAccessLog log = JsonLinesAccessLog.toFile(file, 100_000);
        for (int i = 0; i < 20_000; i++) {
            log.exchange(exchange(i));
        }
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(20_000);
        assertThat(log.dropped()).isZero();
        for (int i = 0; i < lines.size(); i += 997) {
            JsonNode line = json.readTree(lines.get(i));
            assertThat(line.get("sequence").asInt()).isEqualTo(i);
            assertThat(line.get("response_bytes").asLong()).isEqualTo(1024);
            assertThat(line.has("grpc_status")).isFalse();
        }
    }

    @Test
    void aRecordOfferedWhileTheWriterIdlesIsWrittenWithoutClosing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        JsonLinesAccessLog log = JsonLinesAccessLog.toFile(file, 16);
        Thread.sleep(50); // the writer is asleep now: nothing wakes it but its own timer
        log.exchange(exchange(7));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Files.size(file) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(Files.readString(file)).contains("\"sequence\":7");
        log.close();
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        var blocked = new java.io.OutputStream() {
            final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        JsonLinesAccessLog log = JsonLinesAccessLog.to(blocked, 4);
        for (int i = 0; i < 1_000; i++) {
            log.exchange(exchange(i));
        }
        // the writer holds at most one batch; the queue holds 4; the rest is counted, not waited for
        assertThat(log.dropped()).isGreaterThan(900);
        blocked.release.countDown();
        log.close();
    }
}
