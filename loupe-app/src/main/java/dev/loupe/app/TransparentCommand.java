package dev.loupe.app;

import dev.loupe.core.transparent.TransparentRules;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "transparent", mixinStandardHelpOptions = true,
        description = "Transparent (TPROXY) deployment helpers.", subcommands = TransparentCommand.Rules.class)
final class TransparentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
            description = "Print the nftables rules and routing commands that divert client traffic to the "
                    + "transparent listener of this configuration (run them as root on the gateway host).")
    static final class Rules implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            out.print(TransparentRules.shellScript(options.load().transparent()));
            out.flush(); // print() does not flush, and the JVM exits right after

            return 0;
        }
    }
}
