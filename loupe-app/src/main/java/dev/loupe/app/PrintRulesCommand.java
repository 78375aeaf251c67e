package dev.loupe.app;

import dev.loupe.core.config.LoupeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** A {@code rules} subcommand: prints the host commands a configuration needs, for the operator to run as root. */
abstract class PrintRulesCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract String script(LoupeConfig config);

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.print(script(options.load()));
        out.flush(); // print() does not flush, and the JVM exits right after
        return 0;
    }
}
