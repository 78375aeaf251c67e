package dev.loupe.gateway.pipeline;

/** Something an exchange can be routed through on its way to the origin: an inline device. */
public interface RouteTarget {
    /** As in the logs ("mark:2", "127.0.0.1:3128"). */
    String label();
}
