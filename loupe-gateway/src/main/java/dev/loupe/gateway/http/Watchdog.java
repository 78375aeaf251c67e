package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.StageExchange;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds a stage to its {@link ExchangeStage#timeout}: the first of its decision and the deadline wins; past the
 * deadline the stage's failure mode decides, and a decision arriving later is dropped (with any body it hands
 * over). Without a timeout the decision passes straight through, still at most once.
 */
final class Watchdog {
    private Watchdog() {
    }

    static Consumer<Action> guard(ExchangeStage stage, StageExchange exchange, boolean request, Consumer<Action> next) {
        java.time.Duration timeout = stage.timeout();
        boolean[] decided = new boolean[1];
        ScheduledFuture<?> timer = timeout == null ? null : exchange.eventLoop().schedule(() -> {
            if (!decided[0]) {
                decided[0] = true;
                next.accept(expired(stage, exchange, request, timeout));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return action -> {
            if (decided[0]) {
                release(action);
                return;
            }
            decided[0] = true;
            if (timer != null) {
                timer.cancel(false);
            }
            next.accept(action);
        };
    }

    private static Action expired(ExchangeStage stage, StageExchange exchange, boolean request,
                                  java.time.Duration timeout) {
        String what = "the " + (request ? "request" : "response") + " of " + exchange.url();
        if (stage.failureMode() == ExchangeStage.FailureMode.FAIL_OPEN) {
            org.slf4j.LoggerFactory.getLogger(Watchdog.class).warn("stage {} gave no decision on {} within {} ms; "
                    + "passed unseen (fail-open)", stage.name(), what, timeout.toMillis());
            return Action.PROCEED;
        }
        return new Action.Abort(new ErrorPage(503, "Service unavailable: " + stage.name(), "the stage '"
                + stage.name() + "' gave no decision within " + timeout.toMillis() + " ms, and nothing passes "
                + "uninspected", exchange.target().host()));
    }

    private static void release(Action late) {
        BodySpool body = switch (late) {
            case Action.Replace r -> r.body();
            case Action.Respond r -> r.body();
            default -> null;
        };
        if (body != null) {
            body.close();
        }
    }
}
