package dev.loupe.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "cluster", mixinStandardHelpOptions = true, description = "The nodes sharing this node's cluster store.",
        subcommands = {ClusterCommand.Status.class})
final class ClusterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "List the nodes with version, config and CA fingerprints and last heartbeat, as the running "
                    + "node sees them. Exit 1 when the store is unreachable or a node is flagged (stale, config "
                    + "differs, ca differs).")
    static final class Status implements Callable<Integer> {
        @Mixin
        AdminTarget node;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AdminClient admin = node.client();
            AdminClient.Reply reply = admin.get("/api/cluster", true, Duration.ofSeconds(5));
            if (reply.status() != 200) {
                spec.commandLine().getErr().println("loupe: " + admin.base() + "/api/cluster answered " + reply.status()
                        + ": " + reply.body().strip());
                return 1;
            }
            JsonNode cluster = new ObjectMapper().readTree(reply.body());
            var out = spec.commandLine().getOut();
            out.printf("store %s, this node %s, store reachable: %s%n", cluster.path("store").asText(),
                    cluster.path("node").asText(), cluster.path("reachable").asText("true"));
            out.printf("%-20s %-16s %-9s %-16s %-20s %-10s %s%n", "NODE", "VERSION", "STATE", "CONFIG", "CA (SHA-256)",
                    "HEARTBEAT", "FLAGS");
            boolean flagged = !cluster.path("reachable").asBoolean(true);
            for (JsonNode n : cluster.path("nodes")) {
                String ca = n.path("ca_fingerprint").asText();
                String flags = n.path("flags").isEmpty() ? "" : n.path("flags").toString();
                flagged |= !n.path("flags").isEmpty();
                out.printf("%-20s %-16s %-9s %-16s %-20s %-10s %s%n",
                        n.path("node").asText() + (n.path("self").asBoolean() ? " (self)" : ""),
                        n.path("version").asText(), n.path("state").asText(), n.path("config_fingerprint").asText(),
                        ca.length() > 17 ? ca.substring(0, 17) + "…" : ca,
                        n.path("heartbeat_age_ms").asLong() + " ms", flags);
            }
            return flagged ? 1 : 0;
        }
    }
}
