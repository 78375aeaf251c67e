package dev.loupe.gateway.session;

/**
 * Fired on every client connection when the gateway stops accepting during a drain: an HTTP/1.1 connection closes
 * when idle or after its current response (which says Connection: close), an HTTP/2 one says GOAWAY and lets its
 * open streams finish; tunnels carry on until they end or the drain timeout closes them.
 */
public final class DrainEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }
}
