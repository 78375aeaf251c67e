package dev.loupe.gateway.cluster;

import dev.loupe.core.cluster.ClusterEvent;
import dev.loupe.core.cluster.ClusterView;
import dev.loupe.core.cluster.NodeInfo;
import java.util.List;
import java.util.Map;

/**
 * What the rest of the gateway needs from the cluster: share a change before applying it here, list the
 * nodes, say what is wrong. A single node has a {@link #single} link that shares with nobody.
 */
public interface ClusterLink extends AutoCloseable {
    /**
     * Makes a change (a push, a delete) reach every node; called before it is applied here, off the event loops.
     *
     * @throws ClusterUnavailableException when the store cannot take it: the caller refuses the change
     */
    void share(ClusterEvent event);

    String node();

    /** The current problem, null while the link is fine. */
    String problem();

    boolean reachable();

    List<ClusterView.Member> members();

    Map<String, Object> status();

    /** The node is leaving: its heartbeat says so at once. */
    void draining();

    @Override
    void close();

    static ClusterLink single(NodeInfo self) {
        return new ClusterLink() {
            @Override
            public void share(ClusterEvent event) {
            }

            @Override
            public String node() {
                return self.node();
            }

            @Override
            public String problem() {
                return null;
            }

            @Override
            public boolean reachable() {
                return true;
            }

            @Override
            public List<ClusterView.Member> members() {
                return ClusterView.judge(self, List.of(self), self.heartbeat(), java.time.Duration.ofDays(1));
            }

            @Override
            public Map<String, Object> status() {
                return Map.of("store", "none (single node)", "node", self.node());
            }

            @Override
            public void draining() {
            }

            @Override
            public void close() {
            }
        };
    }
}
