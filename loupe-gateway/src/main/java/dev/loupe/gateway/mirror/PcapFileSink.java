package dev.loupe.gateway.mirror;

import dev.loupe.core.config.MirrorSinkConfig;
import dev.loupe.core.tap.CaptureWriter;
import dev.loupe.core.tap.FlowEndpoints;
import dev.loupe.core.tap.PcapNgWriter;
import dev.loupe.core.tap.PcapWriter;
import dev.loupe.core.tap.RotationPolicy;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rotating capture files (by size and age) with a retention limit; pcap or pcapng. */
final class PcapFileSink implements MirrorSink {
    private static final Logger log = LoggerFactory.getLogger(PcapFileSink.class);
    private static final String PREFIX = "loupe";

    private final Path directory;
    private final boolean pcapng;
    private final RotationPolicy policy;
    private final Clock clock;
    private CaptureWriter writer;
    private Instant openedAt;
    private int sequence;
    // single writer (the mirror thread); volatile so that stats readers see recent values
    private volatile long written;
    private volatile long dropped;

    private final MirrorSinkConfig config;

    PcapFileSink(MirrorSinkConfig config, Clock clock) {
        this.config = config;
        this.directory = config.directory();
        this.pcapng = config.format().equals("pcapng");
        this.policy = new RotationPolicy(config.rotateBytes(), config.rotateAge(), config.maxFiles());
        this.clock = clock;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("mirror directory " + directory + " cannot be created", e);
        }
    }

    @Override
    public void frame(FlowEndpoints flow, long ts, byte[] data, int off, int len) {
        try {
            Instant now = clock.instant();
            if (writer == null || policy.shouldRotate(writer.bytesWritten(), openedAt, now)) {
                rotate(now);
            }
            writer.write(ts, data, off, len);
            written++;
        } catch (IOException e) {
            dropped++;
            if (dropped == 1 || dropped % 10_000 == 0) {
                log.warn("mirror file sink {}: write failed ({} frames dropped so far): {}", directory, dropped,
                        e.toString());
            }
        }
    }

    @Override
    public void flush() {
        if (writer != null) {
            try {
                writer.flush();
            } catch (IOException e) {
                log.warn("mirror file sink {}: flush failed: {}", directory, e.toString());
            }
        }
    }

    private void rotate(Instant now) throws IOException {
        closeWriter();
        openedAt = now;
        Path file = directory.resolve(RotationPolicy.fileName(PREFIX, now, ++sequence, pcapng));
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 256 * 1024);
        writer = pcapng ? new PcapNgWriter(out) : new PcapWriter(out);
        enforceRetention();
    }

    private void enforceRetention() throws IOException {
        List<Path> existing;
        try (Stream<Path> files = Files.list(directory)) {
            existing = files.filter(p -> p.getFileName().toString().startsWith(PREFIX + "-"))
                    .sorted().toList(); // names embed the UTC open time, so lexical order is age order
        }
        for (Path old : policy.toDelete(existing)) {
            Files.deleteIfExists(old);
        }
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                log.warn("mirror file sink {}: close failed: {}", directory, e.toString());
            }
            writer = null;
        }
    }

    @Override
    public MirrorSinkConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "pcap-file:" + directory;
    }

    @Override
    public long framesWritten() {
        return written;
    }

    @Override
    public long framesDropped() {
        return dropped;
    }

    @Override
    public void close() {
        closeWriter();
    }
}
