package dev.loupe.core.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** How this node sees the cluster: every node's last heartbeat, and what is wrong with it. */
public final class ClusterView {
    /** A node is stale once it has missed this many heartbeats. */
    static final int MISSED_HEARTBEATS = 3;

    /**
     * @param flags what an operator must look at: "stale" (no heartbeat for three intervals), "config differs",
     *              "ca differs" (compared with this node); empty when the node agrees with this one
     */
    public record Member(NodeInfo info, boolean self, long heartbeatAgeMillis, List<String> flags) {
    }

    private ClusterView() {
    }

    public static List<Member> judge(NodeInfo self, List<NodeInfo> nodes, Instant now, Duration heartbeat) {
        long staleAfter = heartbeat.toMillis() * MISSED_HEARTBEATS;
        List<Member> out = new ArrayList<>();
        for (NodeInfo n : nodes) {
            boolean isSelf = n.node().equals(self.node());
            long age = Math.max(0, Duration.between(n.heartbeat(), now).toMillis());
            List<String> flags = new ArrayList<>();
            if (!isSelf && age > staleAfter) {
                flags.add("stale");
            }
            if (!n.configFingerprint().equals(self.configFingerprint())) {
                flags.add("config differs");
            }
            if (!n.caFingerprint().equals(self.caFingerprint())) {
                flags.add("ca differs");
            }
            out.add(new Member(n, isSelf, age, List.copyOf(flags)));
        }
        out.sort(Comparator.comparing(m -> m.info().node()));
        return List.copyOf(out);
    }
}
