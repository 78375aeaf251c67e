package dev.loupe.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the Loupe version.")
final class VersionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println("loupe " + version() + " (Java " + Runtime.version() + ")");
    }

    /** The one reading of the stamped version, shared with the cluster heartbeat. */
    static String version() {
        return dev.loupe.gateway.cluster.Nodes.version();
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"loupe " + version()};
        }
    }
}
