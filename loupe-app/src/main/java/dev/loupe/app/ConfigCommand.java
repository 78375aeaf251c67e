package dev.loupe.app;

import dev.loupe.core.config.LoupeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with the configuration file.",
        subcommands = ConfigCommand.Check.class)
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
}
