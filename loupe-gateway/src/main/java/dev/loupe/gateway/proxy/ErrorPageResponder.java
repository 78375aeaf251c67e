package dev.loupe.gateway.proxy;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.ExchangeRecord;
import dev.loupe.gateway.http.HttpResponses;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;

/**
 * Answers the first request of a decrypted connection whose origin could not be trusted or reached
 * with Loupe's error page, then closes. Nothing is ever fetched from the origin.
 */
final class ErrorPageResponder extends ChannelInboundHandlerAdapter {
    private final ErrorPage page;
    private boolean answered;

    ErrorPageResponder(ErrorPage page) {
        this.page = page;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (answered || !(msg instanceof HttpRequest request)) {
                return;
            }
            answered = true;
            Session session = Session.of(ctx.channel());
            String url = "https://" + page.host() + request.uri();
            session.logExchange(new ExchangeRecord("exchange", Instant.now().toString(), session.id(),
                    session.nextExchangeSequence(), request.method().name(), url, page.status(), 0, 0, 0, 0,
                    "error-page: " + page.problem(), null, null, request.protocolVersion().text(), null));
            session.closeReason(page.title() + ": " + page.problem());
            ctx.writeAndFlush(HttpResponses.errorPage(page, request.headers().get(HttpHeaderNames.ACCEPT)))
                    .addListener(ChannelFutureListener.CLOSE);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }
}
