package dev.loupe.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loupe} command line: the entry point of the runnable jar. */
@Command(name = "loupe", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Loupe: an open TLS-inspection gateway.",
        subcommands = {RunCommand.class, CaCommand.class, ConfigCommand.class, TransparentCommand.class,
                VersionCommand.class,
                CommandLine.HelpCommand.class})
public final class LoupeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LoupeCommand());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
