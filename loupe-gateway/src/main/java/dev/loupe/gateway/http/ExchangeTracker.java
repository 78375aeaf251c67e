package dev.loupe.gateway.http;

import java.util.ArrayDeque;

/**
 * The exchanges of one client connection in request order, shared by its client-side and
 * upstream-side handlers (same event loop). Responses complete them in the same order.
 */
final class ExchangeTracker {
    private final ArrayDeque<Exchange> inFlight = new ArrayDeque<>(2);

    void started(Exchange exchange) {
        inFlight.addLast(exchange);
    }

    Exchange current() {
        return inFlight.peekFirst();
    }

    Exchange finished() {
        return inFlight.pollFirst();
    }

    boolean idle() {
        return inFlight.isEmpty();
    }
}
