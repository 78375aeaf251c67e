package dev.loupe.gateway.http;

import dev.loupe.core.log.IcapResult;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.StageExchange;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** An {@link Exchange} as its stages see it: the facts they may use and the notes they may leave. */
final class StagedExchange implements StageExchange {
    private final Exchange exchange;
    private final HttpRelay relay;
    private final String host;
    private final Origin target;
    private Map<ExchangeStage, Object> attached;

    StagedExchange(Exchange exchange, HttpRelay relay, String host, Origin target) {
        this.exchange = exchange;
        this.relay = relay;
        this.host = host;
        this.target = target;
    }

    @Override
    public String scheme() {
        return relay.scheme();
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public Origin target() {
        return target;
    }

    @Override
    public String url() {
        return exchange.url;
    }

    @Override
    public String method() {
        return exchange.method;
    }

    @Override
    public boolean upgrade() {
        return exchange.upgradeRequested;
    }

    @Override
    public HttpRequest request() {
        return exchange.request;
    }

    @Override
    public String clientIp() {
        return relay.clientIp();
    }

    @Override
    public String serverIp() {
        var upstream = relay.upstream();
        return upstream != null && upstream.remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() : null;
    }

    @Override
    public dev.loupe.core.policy.ServiceChain chain() {
        return relay.session().chain();
    }

    @Override
    public int flowHash() {
        return relay.flowHash();
    }

    @Override
    public EventLoop eventLoop() {
        return relay.client().eventLoop();
    }

    @Override
    public void icapResults(List<IcapResult> results) {
        exchange.icap(results);
    }

    @Override
    public void inlineNote(String note) {
        exchange.inline = note;
    }

    @Override
    public void attach(ExchangeStage stage, Object state) {
        if (attached == null) {
            attached = new IdentityHashMap<>(2);
        }
        attached.put(stage, state);
    }

    @Override
    public Object attached(ExchangeStage stage) {
        return attached == null ? null : attached.get(stage);
    }
}
