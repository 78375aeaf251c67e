package dev.loupe.gateway.http;

import java.util.ArrayDeque;

/**
 * The exchanges of one client connection in request order, shared by its client-side and
 * upstream-side handlers (same event loop). Responses complete them in the same order.
 */
final class ExchangeTracker {
    private final ArrayDeque<Exchange> inFlight = new ArrayDeque<>(2);
    private boolean draining;

    void started(Exchange exchange) {
        if (draining) {
            exchange.clientKeepAlive = false;
        }
        inFlight.addLast(exchange);
    }

    /** The gateway is leaving: every exchange in flight and to come ends the connection after its response. */
    void drain() {
        draining = true;
        for (Exchange e : inFlight) {
            e.clientKeepAlive = false;
            e.closeClientAfter = true;
        }
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
