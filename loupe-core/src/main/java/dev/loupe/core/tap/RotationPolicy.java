package dev.loupe.core.tap;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * When a capture file is closed and a new one started, and how many old files survive. Pure decisions
 * only: the sink that owns the files asks and then acts, which keeps clocks and I/O out of this class.
 *
 * @param maxBytes rotate once the current file holds this many bytes; 0 disables size-based rotation
 * @param maxAge rotate once the current file is this old; {@link Duration#ZERO} disables age-based rotation
 * @param maxFiles keep at most this many files, the current one included; 0 keeps every file
 */
public record RotationPolicy(long maxBytes, Duration maxAge, int maxFiles) {
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    public RotationPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " is negative");
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge " + maxAge + " is negative");
        }
        if (maxFiles < 0) {
            throw new IllegalArgumentException("maxFiles " + maxFiles + " is negative");
        }
    }

    public boolean shouldRotate(long bytesInCurrentFile, Instant openedAt, Instant now) {
        if (maxBytes > 0 && bytesInCurrentFile >= maxBytes) {
            return true;
        }
        return !maxAge.isZero() && !now.isBefore(openedAt.plus(maxAge));
    }

    /**
     * The files retention removes, oldest first. Pass every capture file including the one just opened,
     * so that file counts against {@code maxFiles} and is never itself deleted.
     */
    public List<Path> toDelete(List<Path> existingFilesOldestFirst) {
        int excess = existingFilesOldestFirst.size() - maxFiles;
        if (maxFiles == 0 || excess <= 0) {
            return List.of();
        }
        return List.copyOf(existingFilesOldestFirst.subList(0, excess));
    }

    /**
     * Names such as {@code loupe-20261126T101500Z-0001.pcap}: UTC so names sort chronologically across
     * DST changes, and a sequence number so two files opened within one second never collide.
     */
    public static String fileName(String prefix, Instant openedAt, int sequence, boolean pcapng) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank() || prefix.contains("/") || prefix.contains("\\")) {
            throw new IllegalArgumentException("prefix '" + prefix + "' must be a non-blank name without separators");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence " + sequence + " is negative");
        }
        return String.format("%s-%s-%04d.%s", prefix, FILE_TIME.format(openedAt), sequence,
                pcapng ? "pcapng" : "pcap");
    }
}
