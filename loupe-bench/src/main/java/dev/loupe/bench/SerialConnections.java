package dev.loupe.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * L1: new connections one at a time (concurrency 1), each timed from the TCP connect to the last byte of the
 * 1 KiB response: connect (+ CONNECT) + full TLS handshake + GET. Proxied minus direct p50 is the latency one
 * intercepted connection adds, which a loaded W1 (throughput, c=8) cannot show.
 */
final class SerialConnections {
    private static final long STEP_TIMEOUT_SECONDS = 10;

    record Latencies(long done, long failed, double seconds, double p50Ms, double p90Ms, double p99Ms) {
    }

    private SerialConnections() {
    }

    static Latencies run(BenchClient client, int seconds, long expectedBody) throws InterruptedException {
        List<Long> nanos = new ArrayList<>();
        long failed = 0;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - deadline < 0) {
            long t0 = System.nanoTime();
            try {
                BenchClient.Tunnel t = client.open().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                long n = t.get("/1k").get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                long elapsed = System.nanoTime() - t0;
                t.close().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (n == expectedBody) {
                    nanos.add(elapsed);
                } else {
                    failed++;
                }
            } catch (ExecutionException | TimeoutException e) {
                failed++;
            }
        }
        Collections.sort(nanos);
        return new Latencies(nanos.size(), failed, (System.nanoTime() - start) / 1e9, percentileMs(nanos, 0.50),
                percentileMs(nanos, 0.90), percentileMs(nanos, 0.99));
    }

    /** Nearest-rank percentile of sorted values, in milliseconds; NaN when there are none. */
    static double percentileMs(List<Long> sortedNanos, double p) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sortedNanos.size());
        return sortedNanos.get(Math.max(0, rank - 1)) / 1e6;
    }
}
