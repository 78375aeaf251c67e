package dev.loupe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's JDK 25 AOT cache (JEP 483/514/515: classes loaded and linked, and method profiles, from a
 * training run) as the harness trains and uses it. The cache lives next to the gateway jar as {@code loupe.aot}
 * because that is where {@code ./loupe} looks for it, and a cache only matches the jar path (and jar file) it
 * was trained with: the harness runs the gateway from the real jar, not its scratch copy, whenever the cache
 * is in play.
 */
final class AotCache {
    /** The assembly runs in a child JVM after the training gateway exits: seconds, not minutes. */
    private static final long ASSEMBLY_TIMEOUT_SECS = 180;

    private final Path file;

    private AotCache(Path file) {
        this.file = file;
    }

    /** The cache belonging to {@code jar} ({@code loupe.jar} → {@code loupe.aot} in the same directory). */
    static AotCache of(Path jar) {
        Path abs = jar.toAbsolutePath();
        String name = abs.getFileName().toString().replaceFirst("\\.jar$", "") + ".aot";
        return new AotCache(abs.resolveSibling(name));
    }

    /** Why the running JDK cannot train or use a cache, or null when it can. */
    static String unsupported() {
        int feature = Runtime.version().feature();
        return feature >= 25 ? null : "AOT caches need JDK 25 or newer (the harness and its gateway run on " + feature + ")";
    }

    Path file() {
        return file;
    }

    /** Fresh: written after the jar was (a rebuilt jar makes the JVM refuse the cache anyway). */
    boolean freshFor(Path jar) throws IOException {
        return Files.isRegularFile(file)
                && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(jar)) > 0;
    }

    /** JVM options of the training gateway: the cache is assembled when that JVM exits (SIGTERM is enough). */
    List<String> trainingOptions() throws IOException {
        Files.deleteIfExists(file);
        return List.of("-XX:AOTCacheOutput=" + file);
    }

    /**
     * JVM options of a measured gateway. {@code AOTMode=on} makes a cache the JVM cannot use (another jar,
     * other options) a start-up error rather than a silent fall-back that would mislabel the figures.
     */
    List<String> useOptions() {
        return List.of("-XX:AOTMode=on", "-XX:AOTCache=" + file);
    }

    /** Stops the training gateway and waits for its cache to be assembled. */
    void finishTraining(Process gateway) throws Exception {
        gateway.destroy();
        if (!gateway.waitFor(ASSEMBLY_TIMEOUT_SECS, TimeUnit.SECONDS)) {
            gateway.destroyForcibly();
            throw new IllegalStateException("the training gateway did not exit within " + ASSEMBLY_TIMEOUT_SECS
                    + " s of SIGTERM: no AOT cache");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the training gateway exited (status " + gateway.exitValue()
                    + ") without writing " + file + ": see its stderr log");
        }
    }
}
