package dev.loupe.app;

import dev.loupe.core.config.ConfigLoader;
import dev.loupe.core.config.LoupeConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config} and {@code --data-dir}, shared by every command that needs the configuration. */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML configuration file (default: built-in defaults, no file needed).")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory holding the CA (overrides data-dir in the file; default ~/.loupe).")
    Path dataDir;

    LoupeConfig load() {
        LoupeConfig config = configFile == null ? LoupeConfig.defaults() : new ConfigLoader().load(configFile);
        return dataDir == null ? config : config.withDataDir(dataDir);
    }
}
