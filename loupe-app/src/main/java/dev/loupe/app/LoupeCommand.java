package dev.loupe.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loupe} command line: the entry point of the runnable jar. */
@Command(name = "loupe", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Loupe: an open TLS-inspection gateway.",
        subcommands = {RunCommand.class, CaCommand.class, ConfigCommand.class, TransparentCommand.class, InlineCommand.class,
                VersionCommand.class, HealthCommand.class, DrainCommand.class, ClusterCommand.class, ReloadCommand.class,
                CommandLine.HelpCommand.class})
public final class LoupeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Netty's leak detector (SIMPLE by default) records a stack trace for a sample of buffers: 2.3% of the
        // gateway's CPU in the keep-alive benchmark. Off in the launcher; the tests keep Netty's default, and
        // an operator chasing a leak sets -Dio.netty.leakDetection.level=simple (or paranoid) in LOUPE_JAVA_OPTS.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
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
