package dev.loupe.app;

import dev.loupe.core.transparent.TransparentRules;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
    static final class Rules extends PrintRulesCommand {
        @Override
        String script(dev.loupe.core.config.LoupeConfig config) {
            return TransparentRules.shellScript(config.transparent());
        }
    }
}
