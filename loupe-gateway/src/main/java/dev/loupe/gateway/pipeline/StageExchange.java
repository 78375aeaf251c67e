package dev.loupe.gateway.pipeline;

import dev.loupe.core.log.IcapResult;
import dev.loupe.core.net.Origin;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/** What a stage may know of an exchange and note about it, whatever framing carries it. */
public interface StageExchange {
    /** http or https. */
    String scheme();

    /** The host the exchange is about: the TLS server name in a tunnel (bound to it), else the request's host. */
    String host();

    /** Where the request goes (the origin; the host in Loupe's pages). */
    Origin target();

    /** The absolute URL, as logged. */
    String url();

    String method();

    /** The request asks to switch protocols (a WebSocket upgrade): no body follows, bytes may after a 101. */
    boolean upgrade();

    /** The request head as it goes upstream (RESPMOD services get it for context). */
    HttpRequest request();

    /** The client's address (on the return leg, the flow's client rather than the device). */
    String clientIp();

    /** The origin's address when connected, else null. */
    String serverIp();

    /** Spreads the exchanges of many clients over several devices, the same value for one connection. */
    int flowHash();

    EventLoop eventLoop();

    /** The services the rule that decided this connection chose; a stage skips the services outside it. */
    default dev.loupe.core.policy.ServiceChain chain() {
        return dev.loupe.core.policy.ServiceChain.ALL;
    }

    /** ICAP outcomes, in order, for the exchange's log line. */
    void icapResults(List<IcapResult> results);

    /** Which inline device carried the exchange, or why none did, for the log line. */
    void inlineNote(String note);

    /** Per-exchange state a stage keeps between the head and the body of a phase. */
    void attach(ExchangeStage stage, Object state);

    Object attached(ExchangeStage stage);
}
