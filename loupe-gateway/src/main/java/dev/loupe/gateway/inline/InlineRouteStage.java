package dev.loupe.gateway.inline;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.StageExchange;
import dev.loupe.gateway.pipeline.Step;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The inline device route as a stage: each request goes through one of the service's devices, chosen by the
 * flow's hash so a connection keeps its device; with none up, straight to the origin (fail-open) or nowhere
 * (fail-closed, a 503 naming the service). The relay carries out the route (the device connection, the flow
 * registration); the stages configured after this one then run on the device's far side.
 */
public final class InlineRouteStage implements ExchangeStage {
    private final InlineHttpService service;

    public InlineRouteStage(InlineHttpService service) {
        this.service = service;
    }

    @Override
    public String name() {
        return "inline";
    }

    /** With no device up: straight to the origin, or refused (the route decides on the head, at once). */
    @Override
    public FailureMode failureMode() {
        return service.failOpen() ? FailureMode.FAIL_OPEN : FailureMode.FAIL_CLOSED;
    }

    public InlineHttpService service() {
        return service;
    }

    @Override
    public Step onRequestHead(StageExchange exchange, HttpRequest head) {
        if (!exchange.chain().allows(service.name())) {
            exchange.inlineNote(service.name() + ": not in the chain of rule " + exchange.chain().rule());
            return Action.PROCEED;
        }
        InlineHttpService.Device chosen = service.pick(exchange.flowHash());
        if (chosen != null) {
            return new Action.Route(chosen);
        }
        if (service.failOpen()) {
            exchange.inlineNote(service.name() + ": no device up, sent direct (fail-open)");
            return Action.PROCEED;
        }
        return new Action.Abort(new ErrorPage(503, "Service unavailable: " + service.name(), "no device of the "
                + "inline service '" + service.name() + "' is up, and nothing passes uninspected",
                exchange.target().host()));
    }
}
