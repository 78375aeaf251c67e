package dev.loupe.gateway.cluster;

/** The cluster store cannot take a change now; the message says what to do. */
public final class ClusterUnavailableException extends RuntimeException {
    public ClusterUnavailableException(String message) {
        super(message);
    }
}
