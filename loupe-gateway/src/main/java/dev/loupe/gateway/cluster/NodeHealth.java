package dev.loupe.gateway.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What this node tells health checks (keepalived's check script, an L4 balancer, {@code loupe health}).
 * A draining node answers 503 at once, so that the virtual address or the balancer moves new connections
 * away while the ones in flight finish. Problems that do not stop the node from serving (Redis unreachable)
 * make it "degraded" but still healthy: giving up the address for them would only move the same problem.
 */
public final class NodeHealth {
    public enum State { SERVING, DRAINING }

    /** A current problem of one part (e.g. the cluster store), or null while that part is fine. */
    @FunctionalInterface
    public interface Problem extends Supplier<String> {
    }

    public record Report(State state, boolean healthy, List<String> problems, Instant since) {
        public String status() {
            return state == State.DRAINING ? "draining" : problems.isEmpty() ? "ok" : "degraded";
        }
    }

    private final List<Problem> problems = new CopyOnWriteArrayList<>();
    private volatile State state = State.SERVING;
    private volatile Instant since;

    public NodeHealth(Instant started) {
        this.since = started;
    }

    public void watch(Problem problem) {
        problems.add(problem);
    }

    /** True the first time only: the caller that gets true runs the drain. */
    public synchronized boolean startDraining(Instant now) {
        if (state == State.DRAINING) {
            return false;
        }
        state = State.DRAINING;
        since = now;
        return true;
    }

    public State state() {
        return state;
    }

    public Report report() {
        List<String> current = new ArrayList<>();
        for (Problem p : problems) {
            String text = p.get();
            if (text != null) {
                current.add(text);
            }
        }
        State s = state;
        return new Report(s, s == State.SERVING, List.copyOf(current), since);
    }
}
