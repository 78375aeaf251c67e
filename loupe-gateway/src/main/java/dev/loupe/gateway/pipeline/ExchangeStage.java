package dev.loupe.gateway.pipeline;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.Consumer;

/**
 * One inspection service as a stage of the exchange pipeline: URL intelligence, the ICAP chain, the inline
 * device route. The relay runs the stages in the configured order ({@code pipeline:}); no stage knows the others,
 * nor which framing (HTTP/1.1 or an HTTP/2 stream) carried the exchange: it sees HTTP message heads and, when it
 * asks, the whole body in a {@link BodySpool}.
 *
 * <p>Per phase, every stage first sees the head (so one that decides on the head alone never waits for a body),
 * then the stages that asked for the body see it in order, on one capture shared by all of them. A response
 * comes back through the stages in reverse. Every call happens on the exchange's event loop, and {@code done}
 * must be called there too, exactly once. A stage's failure mode (what happens when its service cannot answer)
 * is its own: it turns into {@link Action.Proceed} (fail-open) or {@link Action.Abort} (fail-closed).
 */
public interface ExchangeStage {
    /** What the relay does with an exchange when the stage cannot decide on it in time. */
    enum FailureMode {
        /** The exchange goes on unseen by this stage (logged). */
        FAIL_OPEN,
        /** The exchange is refused: nothing passes uninspected. */
        FAIL_CLOSED
    }

    /** As in the logs and the configuration. */
    String name();

    /** When {@link #timeout} passes without a decision on a body. */
    default FailureMode failureMode() {
        return FailureMode.FAIL_CLOSED;
    }

    /**
     * How long the stage may take to decide on a body it asked for; past it the relay applies {@link #failureMode}
     * and ignores the late decision. Null: the stage decides on the head alone, or bounds its own work.
     */
    default java.time.Duration timeout() {
        return null;
    }

    /** The request head; the stage answers at once or asks for the body. */
    Step onRequestHead(StageExchange exchange, HttpRequest head);

    /** The whole request body, after {@link NeedBody}: the decision goes to {@code done}. */
    default void onRequestBody(StageExchange exchange, HttpRequest head, BodySpool body, Consumer<Action> done) {
        done.accept(Action.PROCEED);
    }

    /** The response head as the origin sent it. */
    default Step onResponseHead(StageExchange exchange, HttpResponse head) {
        return Action.PROCEED;
    }

    /** The whole response body, after {@link NeedBody}. */
    default void onResponseBody(StageExchange exchange, HttpResponse head, BodySpool body, Consumer<Action> done) {
        done.accept(Action.PROCEED);
    }

    /**
     * The body grew past the limit of every stage that asked for it (its length was not declared): pass it on
     * unseen ({@link Action#PROCEED}) or refuse it ({@link Action.Abort}).
     */
    default Action onBodyOverLimit(StageExchange exchange, boolean request) {
        return Action.PROCEED;
    }
}
