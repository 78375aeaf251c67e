package dev.loupe.gateway.mirror;

/** Counters of one mirror sink, for logs and metrics. */
public record MirrorSinkStats(String sink, long framesWritten, long framesDropped) {
}
