package dev.loupe.app;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make the running node re-read its configuration file (as SIGHUP does). A valid file that changes "
                + "only reloadable sections (policy, intel, limits, http2, shutdown, pac) applies to new connections; "
                + "open ones finish on theirs. Exit 0 when applied or unchanged, 1 when refused or invalid.")
final class ReloadCommand implements Callable<Integer> {
    @Mixin
    AdminTarget node;
    @picocli.CommandLine.Option(names = "--dry-run", description = "Only say what a reload would change.")
    boolean dryRun;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AdminClient admin = node.client();
        AdminClient.Reply reply = admin.post("/api/reload" + (dryRun ? "?dry-run=1" : ""), Duration.ofSeconds(30));
        (reply.status() == 200 ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(reply.body().strip());
        return reply.status() == 200 ? 0 : 1;
    }
}
