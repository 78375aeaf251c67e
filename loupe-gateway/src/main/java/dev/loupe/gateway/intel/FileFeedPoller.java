package dev.loupe.gateway.intel;

import dev.loupe.core.config.IntelSourceConfig;
import dev.loupe.core.intel.Indicator;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;

/** A local list, re-read whenever its modification time or size changes. */
final class FileFeedPoller extends FeedPoller {
    private FileTime lastModified;
    private long lastSize = -1;

    FileFeedPoller(IntelSourceConfig config, Clock clock, BiConsumer<String, List<Indicator>> publish) {
        super(config, clock, publish);
    }

    @Override
    void poll() throws Exception {
        FileTime modified = Files.getLastModifiedTime(config.path());
        long size = Files.size(config.path());
        if (modified.equals(lastModified) && size == lastSize) {
            return;
        }
        publishText(Files.readString(config.path()));
        lastModified = modified;
        lastSize = size;
    }
}
