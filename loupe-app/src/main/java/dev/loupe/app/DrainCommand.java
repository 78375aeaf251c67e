package dev.loupe.app;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Make the running node leave gracefully, as SIGTERM does: its health check says draining at "
                + "once, it stops accepting after shutdown.announce-delay, lets open connections finish for "
                + "shutdown.drain-timeout and exits 0.")
final class DrainCommand implements Callable<Integer> {
    @Mixin
    AdminTarget node;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AdminClient admin = node.client();
        AdminClient.Reply reply = admin.post("/api/drain", Duration.ofSeconds(5));
        if (reply.status() != 202) {
            spec.commandLine().getErr().println("loupe: drain refused (" + reply.status() + "): " + reply.body().strip());
            return 1;
        }
        spec.commandLine().getOut().println("draining: " + admin.base());
        return 0;
    }
}
