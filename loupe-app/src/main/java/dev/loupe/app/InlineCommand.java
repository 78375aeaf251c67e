package dev.loupe.app;

import dev.loupe.core.transparent.InlineRules;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "inline", mixinStandardHelpOptions = true,
        description = "Inline device deployment helpers.", subcommands = InlineCommand.Rules.class)
final class InlineCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
            description = "Print the ip and nft commands that route an l2 or l3 inline service's flows through its "
                    + "devices and back (run them as root on the gateway host, after 'loupe transparent rules').")
    static final class Rules extends PrintRulesCommand {
        @Override
        String script(dev.loupe.core.config.LoupeConfig config) {
            return InlineRules.shellScript(config);
        }
    }
}
