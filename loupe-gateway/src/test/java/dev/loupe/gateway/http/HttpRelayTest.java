package dev.loupe.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.AccessLog;
import dev.loupe.core.log.ConnectionRecord;
import dev.loupe.core.log.ExchangeRecord;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.http2.HeadWithEnd;
import dev.loupe.gateway.http2.StreamMessages;
import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.NeedBody;
import dev.loupe.gateway.pipeline.StageExchange;
import dev.loupe.gateway.pipeline.StagePlan;
import dev.loupe.gateway.pipeline.Step;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exchange path at handler level: real HTTP/1.1 bytes (or HTTP/2 stream frames) in on the client side, out on
 * the upstream side, and back; the stages in between are scripted.
 */
class HttpRelayTest {
    @TempDir
    Path spoolDir;

    private final List<String> seen = new ArrayList<>();
    private final List<ExchangeRecord> exchanges = new ArrayList<>();
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;

    @Test
    void everyStageSeesTheRequestInOrderAndTheResponseComesBackThroughThemInReverse() {
        tunnel(new Scripted("a"), new Scripted("b"));
        request("GET /p?q=1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(upstreamText()).startsWith("GET /p?q=1 HTTP/1.1\r\n").containsIgnoringCase("host: app.test");
        respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(clientText()).startsWith("HTTP/1.1 200 OK").endsWith("hello");
        assertThat(seen).containsExactly("a request GET /p?q=1 app.test", "b request GET /p?q=1 app.test",
                "b response 200", "a response 200");
        assertThat(exchanges).singleElement().satisfies(e -> {
            assertThat(e.url()).isEqualTo("https://app.test/p?q=1");
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.outcome()).isEqualTo("relayed");
        });
    }

    @Test
    void theClientIsReadWhileAResponseIsAwaitedButAPipelinedRequestWaitsForItsTurnAndStopsTheReading() {
        tunnel(new Scripted("a"));
        request("GET /1 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(upstreamText()).startsWith("GET /1 ");
        // no epoll_ctl per keep-alive request: reading stays on while the response is awaited
        assertThat(client.config().isAutoRead()).isTrue();
        request("GET /2 HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(upstreamText()).isEmpty();
        assertThat(client.config().isAutoRead()).isFalse();
        respond("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
        assertThat(clientText()).endsWith("\r\n\r\n1");
        assertThat(upstreamText()).startsWith("GET /2 ");
        assertThat(client.config().isAutoRead()).isTrue();
        respond("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
        assertThat(clientText()).endsWith("\r\n\r\n2");
        assertThat(exchanges).extracting(ExchangeRecord::url)
                .containsExactly("https://app.test/1", "https://app.test/2");
    }

    @Test
    void anAbortAnswersWithLoupesPageAndNeitherTheLaterStagesNorTheOriginSeeTheRequest() {
        Scripted a = new Scripted("a");
        a.requestHead = new Action.Abort(new ErrorPage(403, "Blocked by threat intelligence", "listed", "app.test"));
        tunnel(a, new Scripted("b"));
        request("GET /bad HTTP/1.1\r\nHost: app.test\r\n\r\n");
        assertThat(clientText()).startsWith("HTTP/1.1 403").contains("listed");
        assertThat(upstreamText()).isEmpty();
        assertThat(seen).containsExactly("a request GET /bad app.test");
        assertThat(exchanges).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("blocked: listed"));
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void aHostOtherThanTheTunnelsNameIsRefusedBeforeAnyStageSeesIt() {
        tunnel(new Scripted("a"));
        request("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n");
        assertThat(clientText()).startsWith("HTTP/1.1 400");
        assertThat(seen).isEmpty();
        assertThat(upstreamText()).isEmpty();
    }

    @Test
    void theStagesThatAskForTheBodyShareOneCaptureAndARewrittenRequestGoesUpstreamReframed() {
        Scripted a = new Scripted("a");
        a.requestHead = new NeedBody(Long.MAX_VALUE);
        a.requestBody = body -> new Action.Replace(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/upload"), spool("clean"));
        Scripted b = new Scripted("b");
        b.requestHead = new NeedBody(Long.MAX_VALUE);
        tunnel(a, b);
        request("POST /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\nEVIL\r\n");
        assertThat(upstreamText()).as("nothing goes upstream while the body is held").isEmpty();
        request("3\r\n!!!\r\n0\r\n\r\n");
        String sent = upstreamText();
        assertThat(sent).startsWith("POST /upload HTTP/1.1").containsIgnoringCase("content-length: 5")
                .containsIgnoringCase("host: app.test").endsWith("\r\n\r\nclean").doesNotContainIgnoringCase("chunked");
        assertThat(seen).containsExactly("a request POST /upload app.test", "b request POST /upload app.test",
                "a request body EVIL!!!", "b request body clean");
    }

    @Test
    void aStageMayAnswerTheRequestItselfAndTheOriginNeverSeesIt() {
        Scripted a = new Scripted("a");
        a.requestHead = new NeedBody(Long.MAX_VALUE);
        a.requestBody = body -> {
            var page = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN);
            return new Action.Respond(page, spool("virus found"));
        };
        tunnel(a);
        request("POST /up HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(clientText()).startsWith("HTTP/1.1 403").containsIgnoringCase("content-length: 11")
                .endsWith("virus found");
        assertThat(upstreamText()).isEmpty();
        assertThat(exchanges).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void aStageThatNeverDecidesIsFailedClosedAtItsTimeout() {
        Scripted hung = new Scripted("sandbox");
        hung.requestHead = new NeedBody(Long.MAX_VALUE);
        hung.requestBody = body -> null;
        hung.timeout = java.time.Duration.ofSeconds(2);
        tunnel(hung);
        request("POST /up HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc");
        client.advanceTimeBy(1, java.util.concurrent.TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertThat(clientText()).as("still within its time").isEmpty();
        client.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertThat(clientText()).startsWith("HTTP/1.1 503").contains("sandbox").contains("nothing passes uninspected");
        assertThat(upstreamText()).isEmpty();
    }

    @Test
    void aStageThatNeverDecidesLetsTheExchangeThroughWhenItFailsOpen() {
        Scripted hung = new Scripted("sandbox");
        hung.requestHead = new NeedBody(Long.MAX_VALUE);
        hung.requestBody = body -> null;
        hung.timeout = java.time.Duration.ofSeconds(2);
        hung.failureMode = ExchangeStage.FailureMode.FAIL_OPEN;
        tunnel(hung);
        request("POST /up HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc");
        client.advanceTimeBy(3, java.util.concurrent.TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertThat(upstreamText()).startsWith("POST /up HTTP/1.1").endsWith("\r\n\r\nabc");
    }

    @Test
    void aResponseTheStagesAskedForArrivesOnlyOnceTheyHaveSeenItWhole() {
        Scripted a = new Scripted("a");
        a.responseHead = new NeedBody(1024);
        tunnel(a);
        request("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
        upstreamText();
        respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        assertThat(clientText()).as("held until the stage has seen all of it").isEmpty();
        respond("6\r\n world\r\n0\r\n\r\n");
        assertThat(seen).containsExactly("a request GET / app.test", "a response 200", "a response body hello world");
        assertThat(dechunk(clientText())).isEqualTo("hello world");
    }

    @Test
    void aResponseBodyPastTheLimitPassesUnseenWhenTheStageLetsIt() {
        Scripted a = new Scripted("a");
        a.responseHead = new NeedBody(4);
        tunnel(a);
        request("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
        upstreamText();
        respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertThat(dechunk(clientText())).isEqualTo("hello world");
        assertThat(seen).containsExactly("a request GET / app.test", "a response 200");
    }

    @Test
    void aResponseBodyPastTheLimitIsRefusedWhenTheStageFailsClosed() {
        Scripted a = new Scripted("a");
        a.responseHead = new NeedBody(4);
        a.overLimit = new Action.Abort(new ErrorPage(403, "Blocked: too large to scan", "too large", "app.test"));
        tunnel(a);
        request("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");
        upstreamText();
        respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertThat(clientText()).startsWith("HTTP/1.1 403").contains("too large").doesNotContain("hello");
        assertThat(upstream.isOpen()).as("the body is not wanted").isFalse();
    }

    @Test
    void theSameStagesSeeTheSameExchangeWhenAnHttp2StreamCarriesIt() {
        Scripted a = new Scripted("a");
        a.responseHead = new NeedBody(1024);
        stream(a, new Scripted("b"));
        var headers = new DefaultHttp2Headers().method("GET").scheme("https").authority("app.test").path("/p?q=1");
        client.writeInbound(new DefaultHttp2HeadersFrame(headers, true));
        Http2HeadersFrame sent = upstream.readOutbound();
        assertThat(sent.headers().path().toString()).isEqualTo("/p?q=1");
        assertThat(sent.headers().authority().toString()).isEqualTo("app.test");
        upstream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
        upstream.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII),
                true));
        Http2HeadersFrame head = client.readOutbound();
        assertThat(head.headers().status().toString()).isEqualTo("200");
        StringBuilder body = new StringBuilder();
        for (Object o; (o = client.readOutbound()) != null; ) {
            if (o instanceof Http2DataFrame data) {
                body.append(data.content().toString(StandardCharsets.US_ASCII));
                data.release();
            }
        }
        assertThat(body).hasToString("hello");
        assertThat(seen).containsExactly("a request GET /p?q=1 app.test", "b request GET /p?q=1 app.test",
                "b response 200", "a response 200", "a response body hello");
        assertThat(exchanges).singleElement().satisfies(e -> {
            assertThat(e.protocol()).isEqualTo("HTTP/2");
            assertThat(e.url()).isEqualTo("https://app.test/p?q=1");
        });
    }

    @Test
    void anHttp2RequestForAnotherAuthorityThanTheTunnelsIsRefused() {
        stream(new Scripted("a"));
        var headers = new DefaultHttp2Headers().method("GET").scheme("https").authority("other.test").path("/");
        client.writeInbound(new DefaultHttp2HeadersFrame(headers, true));
        Http2HeadersFrame answer = client.readOutbound();
        assertThat(answer.headers().status().toString()).isEqualTo("400");
        assertThat((Object) upstream.readOutbound()).isNull();
        assertThat(seen).isEmpty();
    }

    // ---- the harness -------------------------------------------------------------------------------------

    private Session session() {
        client = new EmbeddedChannel();
        Session session = new Session("c1", "proxy", client, new AccessLog() {
            @Override
            public void connection(ConnectionRecord record) {
            }

            @Override
            public void exchange(ExchangeRecord record) {
                exchanges.add(record);
            }
        });
        session.sni("app.test");
        client.attr(Session.KEY).set(session);
        return session;
    }

    private StagePlan plan(ExchangeStage... stages) {
        return new StagePlan(List.of(stages), List.of(stages), List.of(), false,
                () -> new BodySpool(16, spoolDir));
    }

    private void tunnel(ExchangeStage... stages) {
        Session session = session();
        upstream = new EmbeddedChannel();
        HttpRelays.tunnel(session, RelayGuards.NONE, null, null, plan(stages), null, null, upstream,
                new Origin("app.test", 443), 8192, 16384);
    }

    /** As Http2Tunnel sets up each stream: Netty's frame translation, then Loupe's stream adapters. */
    private void stream(ExchangeStage... stages) {
        Session session = session();
        client.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true), new HeadWithEnd(),
                new StreamMessages());
        upstream = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(false, true), new StreamMessages());
        HttpRelays.stream(session, client, RelayGuards.NONE, null, null, plan(stages), null, null, upstream,
                new Origin("app.test", 443), null);
    }

    private void request(String bytes) {
        client.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private void respond(String bytes) {
        upstream.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private String upstreamText() {
        return drain(upstream);
    }

    private String clientText() {
        return drain(client);
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static String dechunk(String response) {
        String rest = response.substring(response.indexOf("\r\n\r\n") + 4);
        StringBuilder body = new StringBuilder();
        while (true) {
            int eol = rest.indexOf("\r\n");
            int size = Integer.parseInt(rest.substring(0, eol), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(rest, eol + 2, eol + 2 + size);
            rest = rest.substring(eol + 2 + size + 2);
        }
    }

    private BodySpool spool(String text) {
        BodySpool spool = new BodySpool(1024, spoolDir);
        spool.append(text.getBytes(StandardCharsets.US_ASCII));
        spool.finish();
        return spool;
    }

    private static String text(BodySpool body) {
        if (body == null) {
            return "";
        }
        var reader = body.reader(0);
        StringBuilder out = new StringBuilder();
        while (reader.hasRemaining()) {
            ByteBuf piece = reader.next(1024);
            out.append(piece.toString(StandardCharsets.US_ASCII));
            piece.release();
        }
        return out.toString();
    }

    /** A stage whose every answer the test sets, noting what it saw. */
    private final class Scripted implements ExchangeStage {
        final String name;
        Step requestHead = Action.PROCEED;
        Step responseHead = Action.PROCEED;
        Function<BodySpool, Action> requestBody = body -> Action.PROCEED;
        Function<BodySpool, Action> responseBody = body -> Action.PROCEED;
        Action overLimit = Action.PROCEED;
        java.time.Duration timeout;
        FailureMode failureMode = FailureMode.FAIL_CLOSED;

        Scripted(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public java.time.Duration timeout() {
            return timeout;
        }

        @Override
        public FailureMode failureMode() {
            return failureMode;
        }

        @Override
        public Step onRequestHead(StageExchange exchange, HttpRequest head) {
            seen.add(name + " request " + head.method() + " " + head.uri() + " " + exchange.host());
            return requestHead;
        }

        @Override
        public void onRequestBody(StageExchange exchange, HttpRequest head, BodySpool body,
                                  java.util.function.Consumer<Action> done) {
            seen.add(name + " request body " + text(body));
            Action decision = requestBody.apply(body);
            if (decision != null) { // null: this stage never decides (a hung service)
                done.accept(decision);
            }
        }

        @Override
        public Step onResponseHead(StageExchange exchange, HttpResponse head) {
            seen.add(name + " response " + head.status().code());
            return responseHead;
        }

        @Override
        public void onResponseBody(StageExchange exchange, HttpResponse head, BodySpool body,
                                   java.util.function.Consumer<Action> done) {
            seen.add(name + " response body " + text(body));
            done.accept(responseBody.apply(body));
        }

        @Override
        public Action onBodyOverLimit(StageExchange exchange, boolean request) {
            return overLimit;
        }
    }
}
