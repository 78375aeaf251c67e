package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Responses Loupe writes itself. */
public final class HttpResponses {
    private HttpResponses() {
    }

    /** An error page that closes the connection afterwards (the caller closes after the write). */
    public static FullHttpResponse errorPage(ErrorPage page, String accept) {
        ErrorPage.Rendered rendered = page.render(accept);
        return full(HttpResponseStatus.valueOf(page.status()), rendered.contentType(), rendered.body(), true);
    }

    /** The page for a request the HTTP decoder refused: 431 for an oversized head, 400 otherwise. */
    public static ErrorPage decoderFailure(Throwable cause, String host) {
        if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
            return new ErrorPage(431, "Request header too large", String.valueOf(cause.getMessage()), host);
        }
        return new ErrorPage(400, "Bad request", String.valueOf(cause.getMessage()), host);
    }

    public static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] body, boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
