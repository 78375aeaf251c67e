package dev.loupe.gateway.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The per-stream adapters between HTTP/2 frames (as Netty translates them) and the framing-neutral relay. */
class StreamFramingTest {
    @Test
    void aRequestEndedWithItsHeadersBecomesAHeadAndAnEmptyEndWithoutNettysOwnHeaders() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamMessages());
        var full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x?y");
        full.headers().set("host", "a.test").set("x-http2-stream-id", "3").set("X-Http2-Scheme", "https");
        ch.writeInbound(full);
        Object head = ch.readInbound();
        Object end = ch.readInbound();
        assertThat(head).isInstanceOf(HttpRequest.class).isNotInstanceOf(FullHttpMessage.class);
        HttpRequest request = (HttpRequest) head;
        assertThat(request.uri()).isEqualTo("/x?y");
        assertThat(request.headers().names()).containsExactly("host");
        assertThat(end).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) end).content().readableBytes()).isZero();
        ((LastHttpContent) end).release();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void aTrailersOnlyResponseIsMarkedAsEndingWithTheStreamNotWithTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamMessages());
        var full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        full.headers().set("grpc-status", "3");
        ch.writeInbound(full);
        HttpResponse head = ch.readInbound();
        assertThat(head.headers().get("transfer-encoding")).isEqualTo("chunked");
        assertThat(head.headers().get("grpc-status")).isEqualTo("3");
        ((LastHttpContent) ch.readInbound()).release();

        var notModified = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
        ch.writeInbound(notModified);
        HttpResponse bodiless = ch.readInbound();
        assertThat(bodiless.headers().contains("transfer-encoding")).as("304 has no body to frame").isFalse();
        ((LastHttpContent) ch.readInbound()).release();
    }

    @Test
    void aHeadFollowedByAnEmptyEndIsWrittenAsOneMessageEndingTheStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new HeadWithEnd());
        var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("grpc-status", "5");
        ch.write(head);
        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        Object out = ch.readOutbound();
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        assertThat(((FullHttpResponse) out).headers().get("grpc-status")).isEqualTo("5");
        ((FullHttpResponse) out).release();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void aHeadWithABodyOrAFlushGoesOutAloneAndAtOnce() {
        EmbeddedChannel ch = new EmbeddedChannel(new HeadWithEnd());
        ch.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.write(new DefaultHttpContent(Unpooled.copiedBuffer("data", StandardCharsets.US_ASCII)));
        ch.flush();
        assertThat((Object) ch.readOutbound()).isInstanceOf(HttpResponse.class).isNotInstanceOf(FullHttpResponse.class);
        HttpContent body = ch.readOutbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("data");
        body.release();

        // a streaming response: its head must not wait for a body that comes later
        ch.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.flush();
        assertThat((Object) ch.readOutbound()).isInstanceOf(HttpResponse.class);
    }

    @Test
    void teTrailersCrossesFromTheClientStreamToItsUpstreamStreamOnly() {
        TeTrailers te = new TeTrailers();
        EmbeddedChannel client = new EmbeddedChannel(te.reader());
        EmbeddedChannel upstream = new EmbeddedChannel(te.writer());
        var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/p2.Echo/Unary");
        request.headers().set("te", "trailers");
        client.writeInbound(request);
        HttpRequest relayed = client.readInbound();
        relayed.headers().remove("te"); // what the relay does with hop-by-hop headers
        upstream.writeOutbound(relayed);
        HttpRequest sent = upstream.readOutbound();
        assertThat(sent.headers().get("te")).isEqualTo("trailers");

        TeTrailers none = new TeTrailers();
        EmbeddedChannel plainClient = new EmbeddedChannel(none.reader());
        EmbeddedChannel plainUpstream = new EmbeddedChannel(none.writer());
        plainClient.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        plainUpstream.writeOutbound((Object) plainClient.readInbound());
        assertThat(((HttpRequest) plainUpstream.readOutbound()).headers().contains("te")).isFalse();
    }
}
