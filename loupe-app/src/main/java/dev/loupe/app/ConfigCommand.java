package dev.loupe.app;

import dev.loupe.core.config.LoupeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with the configuration file.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Diff.class})
final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a configuration file; exit 0 when valid, 2 with the field, value and reason when not.")
    static final class Check implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            LoupeConfig config = options.load();
            spec.commandLine().getOut().printf("configuration OK: explicit proxy on %s:%d, data dir %s%n",
                    config.listener().address(), config.listener().port(), config.dataDir());
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "What a reload from FROM to TO would change, by section, and whether a reload can apply it "
                    + "(exit 0) or a restart is needed (exit 1). 'loupe reload --dry-run' asks a running node.")
    static final class Diff implements Callable<Integer> {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "FROM", description = "The running configuration.")
        java.nio.file.Path from;
        @picocli.CommandLine.Parameters(index = "1", paramLabel = "TO", description = "The new configuration.")
        java.nio.file.Path to;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var loader = new dev.loupe.core.config.ConfigLoader();
            var changes = dev.loupe.core.config.ConfigChanges.between(loader.load(from), loader.load(to));
            var out = spec.commandLine().getOut();
            if (changes.none()) {
                out.println("no change");
                return 0;
            }
            for (String section : changes.changed()) {
                out.println(section + (changes.needRestart().contains(section) ? "  (needs a restart)" : "  (reloadable)"));
            }
            return changes.applicable() ? 0 : 1;
        }
    }
}
