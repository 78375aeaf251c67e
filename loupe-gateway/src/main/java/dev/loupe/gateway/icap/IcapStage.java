package dev.loupe.gateway.icap;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.NeedBody;
import dev.loupe.gateway.pipeline.StageExchange;
import dev.loupe.gateway.pipeline.Step;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.function.Consumer;

/**
 * The ICAP chain as a stage: REQMOD services on the request, RESPMOD services on the response
 * ({@link IcapAdaptation} runs them in order). The services in scope are chosen on the head; only then, and only
 * when one applies, is the body held for them.
 */
public final class IcapStage implements ExchangeStage {
    private final IcapAdaptation icap;

    /** What the head phase chose, for the body phase of the same message. */
    private record Held(IcapSelection selection, HttpResponse originalResponse) {
    }

    public IcapStage(IcapAdaptation icap) {
        this.icap = icap;
    }

    @Override
    public String name() {
        return "icap";
    }

    /** Each service applies its own failure mode; should the chain itself hang, fail-closed unless all are open. */
    @Override
    public FailureMode failureMode() {
        return icap.allFailOpen() ? FailureMode.FAIL_OPEN : FailureMode.FAIL_CLOSED;
    }

    /** Every service's own timeouts bound the chain; this is the backstop for a chain that never answers. */
    @Override
    public java.time.Duration timeout() {
        return icap.longestChain().plusSeconds(5);
    }

    @Override
    public Step onRequestHead(StageExchange exchange, HttpRequest head) {
        if (exchange.upgrade()) {
            return Action.PROCEED; // after a 101 the bytes are no longer HTTP messages a service could scan
        }
        // request bodies have no spool limit of their own: each service's max-body-bytes applies in the chain
        return choose(exchange, true, head.headers().get(HttpHeaderNames.CONTENT_TYPE),
                HttpUtil.getContentLength(head, -1L), null, Long.MAX_VALUE);
    }

    @Override
    public void onRequestBody(StageExchange exchange, HttpRequest head, BodySpool body, Consumer<Action> done) {
        Held held = (Held) exchange.attached(this);
        IcapMessage message = new IcapMessage(head, exchange.url(), exchange.target().host(), null,
                body != null && body.length() > 0 ? body : null, exchange.clientIp(), exchange.serverIp(), null);
        icap.adapt(message, held.selection(), exchange.eventLoop(), adapted -> done.accept(carry(exchange, adapted)));
    }

    @Override
    public Step onResponseHead(StageExchange exchange, HttpResponse head) {
        // the services see the origin's own head, before Loupe rewrites it for the client
        HttpResponse original = new DefaultHttpResponse(head.protocolVersion(), head.status(), head.headers().copy());
        return choose(exchange, false, head.headers().get(HttpHeaderNames.CONTENT_TYPE),
                HttpUtil.getContentLength(head, -1L), original, -1);
    }

    @Override
    public void onResponseBody(StageExchange exchange, HttpResponse head, BodySpool body, Consumer<Action> done) {
        Held held = (Held) exchange.attached(this);
        IcapMessage message = new IcapMessage(exchange.request(), exchange.url(), exchange.target().host(),
                held.originalResponse(), body != null && body.length() > 0 ? body : null, exchange.clientIp(), exchange.serverIp(),
                null);
        icap.adapt(message, held.selection(), exchange.eventLoop(), adapted -> done.accept(carry(exchange, adapted)));
    }

    @Override
    public Action onBodyOverLimit(StageExchange exchange, boolean request) {
        Held held = (Held) exchange.attached(this);
        if (held == null) {
            return Action.PROCEED;
        }
        IcapAdaptation.OverLimit over = icap.overLimit(held.selection());
        exchange.icapResults(over.results());
        if (over.blockedBy() == null) {
            return Action.PROCEED;
        }
        return new Action.Abort(new ErrorPage(403, "Blocked: too large to scan", "the " + (request ? "request"
                : "response") + " body is larger than ICAP service '" + over.blockedBy() + "' scans",
                exchange.target().host()));
    }

    private Step choose(StageExchange exchange, boolean request, String contentType, long declared,
                        HttpResponse original, long limit) {
        IcapSelection selection = icap.select(request, exchange.host(), exchange.method(), contentType,
                declared, exchange.chain());
        if (selection.blockedBy() != null) {
            exchange.icapResults(selection.skipped());
            return new Action.Abort(selection.tooLarge(request, exchange.target().host()));
        }
        if (!selection.any()) {
            exchange.icapResults(icap.noneApplies(selection));
            return Action.PROCEED;
        }
        exchange.attach(this, new Held(selection, original));
        return new NeedBody(limit >= 0 ? limit : selection.spoolLimit());
    }

    private static Action carry(StageExchange exchange, Adapted adapted) {
        exchange.icapResults(adapted.results());
        return switch (adapted) {
            case Adapted.Pass pass when !pass.modified() -> Action.PROCEED;
            case Adapted.Pass pass -> new Action.Replace(pass.head(), pass.body());
            case Adapted.Respond respond -> new Action.Respond(respond.response(), respond.body());
            case Adapted.Refuse refuse -> new Action.Abort(refuse.page());
        };
    }
}
