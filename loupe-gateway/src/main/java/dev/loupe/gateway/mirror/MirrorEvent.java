package dev.loupe.gateway.mirror;

/**
 * One thing that happened on a mirrored connection, handed from an event loop to the mirror thread.
 * {@code data} is a private copy (the original buffer belongs to the connection).
 */
record MirrorEvent(MirrorFlow flow, Kind kind, long timestampMicros, byte[] data) {
    enum Kind { OPEN, CLIENT_DATA, SERVER_DATA, CLOSE, RESET }
}
