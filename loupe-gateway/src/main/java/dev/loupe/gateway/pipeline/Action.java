package dev.loupe.gateway.pipeline;

import dev.loupe.core.http.ErrorPage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;

/** A stage's decision on one phase of an exchange. */
public sealed interface Action extends Step {
    Proceed PROCEED = new Proceed();

    /** Let the message go on as it is. */
    record Proceed() implements Action {
    }

    /**
     * Go on with another head and body (an ICAP service rewrote it); the stage hands over {@code body}, which may
     * be null (no body).
     */
    record Replace(HttpMessage head, BodySpool body) implements Action {
    }

    /** Answer the request with this response: the origin never sees it (a REQMOD block page). Request phase only. */
    record Respond(HttpResponse head, BodySpool body) implements Action {
    }

    /** Refuse the exchange with one of Loupe's pages (blocked, or fail-closed). */
    record Abort(ErrorPage page) implements Action {
    }

    /**
     * Send the request through {@code via} (an inline device) rather than to the origin: the stages after this
     * one run on the far side of the device. Request head phase only.
     */
    record Route(RouteTarget via) implements Action {
    }
}
