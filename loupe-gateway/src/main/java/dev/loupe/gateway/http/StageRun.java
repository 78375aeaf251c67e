package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.NeedBody;
import dev.loupe.gateway.pipeline.RouteTarget;
import dev.loupe.gateway.pipeline.StageExchange;
import dev.loupe.gateway.pipeline.Step;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One phase (request or response) of one exchange through its stages: every stage sees the head in order, then
 * the stages that asked for the body see it in order, on one capture (the largest limit asked for). A route
 * through an inline device ends the phase here: the stages after it run beyond the device.
 */
final class StageRun {
    /** How the phase ended. */
    sealed interface Outcome {
    }

    /** Send on: {@code head} and {@code body} (null: the live body streams, or none) toward {@code route}. */
    record Go(HttpMessage head, BodySpool body, boolean replaced, RouteTarget route) implements Outcome {
    }

    /** A stage answered the request itself. */
    record Answer(HttpResponse head, BodySpool body) implements Outcome {
    }

    /** A stage refused the exchange. */
    record Stop(ErrorPage page) implements Outcome {
    }

    private final List<ExchangeStage> stages;
    private final StageExchange exchange;
    private final boolean request;
    private final List<ExchangeStage> ran = new ArrayList<>();
    private final List<ExchangeStage> bodyStages = new ArrayList<>();
    private long limit;
    private HttpMessage head;
    private RouteTarget route;

    StageRun(List<ExchangeStage> stages, StageExchange exchange, boolean request) {
        this.stages = stages;
        this.exchange = exchange;
        this.request = request;
    }

    /** The head phase; null when the body must be held first (then {@link #bodies}), else how the phase ended. */
    Outcome heads(HttpMessage message) {
        head = message;
        for (ExchangeStage stage : stages) {
            ran.add(stage);
            Step step = request ? stage.onRequestHead(exchange, (HttpRequest) head)
                    : stage.onResponseHead(exchange, (HttpResponse) head);
            switch (step) {
                case Action.Proceed p -> { }
                case NeedBody need -> {
                    bodyStages.add(stage);
                    limit = Math.max(limit, need.limit());
                }
                case Action.Route r -> {
                    if (!request) {
                        throw new IllegalStateException(stage.name() + ": a response cannot be routed");
                    }
                    route = r.via();
                    return bodyStages.isEmpty() ? new Go(head, null, false, route) : null;
                }
                case Action.Abort a -> {
                    return new Stop(a.page());
                }
                case Action.Respond r when request -> {
                    return new Answer(r.head(), r.body());
                }
                case Action.Respond r -> throw new IllegalStateException(stage.name() + ": a response cannot be "
                        + "answered");
                case Action.Replace r -> throw new IllegalStateException(stage.name() + ": Replace needs the body");
            }
        }
        return bodyStages.isEmpty() ? new Go(head, null, false, route) : null;
    }

    /** The largest body a stage asked for. */
    long limit() {
        return limit;
    }

    /** The stages that saw this phase, in order (a response goes back through them in reverse). */
    List<ExchangeStage> ran() {
        return ran;
    }

    /** The body outgrew every limit asked for: refused if one of the stages says so, else it passes unseen. */
    Outcome overLimit() {
        for (ExchangeStage stage : bodyStages) {
            if (stage.onBodyOverLimit(exchange, request) instanceof Action.Abort a) {
                return new Stop(a.page());
            }
        }
        return new Go(head, null, false, route);
    }

    /** The body phase, on the whole body; {@code done} gets how it ended. */
    void bodies(BodySpool body, Consumer<Outcome> done) {
        step(0, head, body, false, done);
    }

    private void step(int index, HttpMessage current, BodySpool body, boolean replaced, Consumer<Outcome> done) {
        if (index == bodyStages.size()) {
            done.accept(new Go(current, body, replaced, route));
            return;
        }
        ExchangeStage stage = bodyStages.get(index);
        Consumer<Action> next = action -> {
            switch (action) {
                case Action.Proceed p -> step(index + 1, current, body, replaced, done);
                case Action.Replace r -> {
                    if (body != null && r.body() != body) {
                        body.close();
                    }
                    step(index + 1, r.head(), r.body(), true, done);
                }
                case Action.Respond r -> {
                    close(body, r.body());
                    done.accept(new Answer(r.head(), r.body()));
                }
                case Action.Abort a -> {
                    close(body, null);
                    done.accept(new Stop(a.page()));
                }
                case Action.Route r -> throw new IllegalStateException(stage.name() + ": route on the head only");
            }
        };
        Consumer<Action> once = Watchdog.guard(stage, exchange, request, next);
        if (request) {
            stage.onRequestBody(exchange, (HttpRequest) current, body, once);
        } else {
            stage.onResponseBody(exchange, (HttpResponse) current, body, once);
        }
    }

    private static void close(BodySpool body, BodySpool keep) {
        if (body != null && body != keep) {
            body.close();
        }
    }
}
