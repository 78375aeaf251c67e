package dev.loupe.gateway.cluster;

/** The cluster refused this node (another CA): it must not start as a member. */
public final class ClusterRefusedException extends RuntimeException {
    public ClusterRefusedException(String message) {
        super(message);
    }
}
