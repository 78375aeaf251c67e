package dev.loupe.app;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The running node a command talks to: its configuration (admin address, token file), and the port if it differs. */
final class AdminTarget {
    @Mixin
    ConfigOptions options;

    @Option(names = "--admin-port", paramLabel = "PORT",
            description = "The node's admin port, when not the configuration's admin.port.")
    Integer adminPort;

    AdminClient client() {
        return new AdminClient(options.load(), adminPort);
    }
}
