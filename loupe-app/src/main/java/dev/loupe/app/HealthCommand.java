package dev.loupe.app;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Ask the running node whether it serves: exit 0 when ok or degraded, 1 when draining, "
                + "unreachable or silent (for keepalived's vrrp_script and other health checkers).")
final class HealthCommand implements Callable<Integer> {
    @Mixin
    AdminTarget node;
    @Option(names = "--timeout", defaultValue = "2s", paramLabel = "DURATION",
            description = "How long a hung node gets to answer (default 2s).")
    String timeout;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        AdminClient admin = node.client();
        try {
            AdminClient.Reply reply = admin.get("/health", false, dev.loupe.core.config.Durations.parse(timeout));
            spec.commandLine().getOut().println(reply.body().strip());
            return reply.status() == 200 ? 0 : 1;
        } catch (Exception e) {
            spec.commandLine().getErr().println("loupe: no answer from " + admin.base() + "/health: " + e);
            return 1;
        }
    }
}
