package dev.loupe.gateway.intel;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.intel.IndicatorLookup;
import dev.loupe.core.policy.ConnectionDecider;
import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.StageExchange;
import dev.loupe.gateway.pipeline.Step;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Threat intelligence on the full URL, as a stage: a listed URL (or its host, or a path under a listed prefix) is
 * refused with a 403 naming the indicator. It needs the head only, so it never holds a body.
 */
public final class UrlIntelStage implements ExchangeStage {
    private final IndicatorLookup intel;

    public UrlIntelStage(IndicatorLookup intel) {
        this.intel = intel;
    }

    @Override
    public String name() {
        return "url-intel";
    }

    @Override
    public Step onRequestHead(StageExchange exchange, HttpRequest head) {
        // by now the head is in origin form whatever form the client used: path and query only
        var match = intel.matchUrl(exchange.scheme(), exchange.host(), exchange.target().port(), head.uri());
        if (match.isEmpty()) {
            return Action.PROCEED;
        }
        return new Action.Abort(new ErrorPage(403, "Blocked by threat intelligence",
                ConnectionDecider.blockFor(match.get()).reason(), exchange.target().host()));
    }
}
