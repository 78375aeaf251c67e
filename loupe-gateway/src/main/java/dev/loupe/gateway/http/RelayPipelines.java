package dev.loupe.gateway.http;

import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpClientCodec;

/** The handlers a relay puts on its channels: HTTP/1.1 framing and the thin adapters into the relay. */
final class RelayPipelines {
    private RelayPipelines() {
    }

    /** The client side: HTTP/1.1 server framing, the request head deadline, the relay. */
    static void client(HttpRelay relay, int maxInitialLine, int maxHeader) {
        Channel client = relay.client();
        client.pipeline().addLast("http", HttpCodecs.server(maxInitialLine, maxHeader));
        if (relay.guards().headTimeout() != null) {
            client.pipeline().addLast(RequestHeadTimeout.NAME, relay.guards().headTimeout().get());
        }
        client.pipeline().addLast("exchange", relay.newClientHandler());
    }

    /** An HTTP/1.1 upstream connection, read only while the client can take more. */
    static void upstream(HttpRelay relay, Channel ch) {
        ch.attr(Session.KEY).set(relay.session());
        ch.pipeline().addLast("http2-answer", new Http2AnswerDetector());
        ch.pipeline().addLast("http", new HttpClientCodec(16 * 1024, 64 * 1024, 64 * 1024));
        ch.pipeline().addLast("exchange", new UpstreamHttpHandler(relay));
        ch.config().setAutoRead(relay.client().isWritable());
    }
}
