package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.config.ConfigLoader;
import dev.loupe.core.config.IcapConfig;
import dev.loupe.core.log.IcapResult;
import dev.loupe.gateway.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ICAP client transport and chain against a scripted in-process server: the cases c-icap never sends. */
class IcapAdaptationTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private ScriptedIcapServer server(ScriptedIcapServer.Script script) throws Exception {
        ScriptedIcapServer s = new ScriptedIcapServer(script);
        closing.add(s);
        return s;
    }

    private IcapAdaptation adaptation(String services) {
        IcapConfig config = new ConfigLoader().parse("icap:\n  spool-directory: " + dir + "\n  services:\n"
                + services.indent(4)).icap();
        IcapAdaptation a = IcapAdaptation.start(config, Transport.nio(), IcapMetrics.unregistered());
        closing.add(a);
        return a;
    }

    private BodySpool body(String text) {
        BodySpool spool = new BodySpool(1 << 20, dir);
        spool.append(text.getBytes(StandardCharsets.ISO_8859_1));
        spool.finish();
        return spool;
    }

    private static HttpRequest get() {
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/file.txt");
        r.headers().set("Host", "origin.test");
        return r;
    }

    private static HttpResponse ok() {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set("Content-Type", "text/plain");
        return r;
    }

    private static Adapted respmod(IcapAdaptation a, BodySpool body) throws Exception {
        CompletableFuture<Adapted> done = new CompletableFuture<>();
        IcapMessage message = new IcapMessage(get(), "https://origin.test/file.txt", "origin.test", ok(), body,
                "10.1.2.3", "192.0.2.7", null);
        a.adapt(message, a.select(false, "origin.test", "GET", "text/plain"), Runnable::run, done::complete);
        return done.get(10, TimeUnit.SECONDS);
    }

    private static Adapted reqmod(IcapAdaptation a, HttpRequest request, BodySpool body) throws Exception {
        CompletableFuture<Adapted> done = new CompletableFuture<>();
        IcapMessage message = new IcapMessage(request, "https://origin.test" + request.uri(), "origin.test", null,
                body, "10.1.2.3", null, null);
        a.adapt(message, a.select(true, "origin.test", request.method().name(), null), Runnable::run, done::complete);
        return done.get(10, TimeUnit.SECONDS);
    }

    private static String text(BodySpool spool) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BodySpool.Reader reader = spool.reader(0);
        while (reader.hasRemaining()) {
            ByteBuf piece = reader.next(1 << 16);
            byte[] b = new byte[piece.readableBytes()];
            piece.readBytes(b);
            piece.release();
            out.writeBytes(b);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void sendsTheContextHeadersAndTheWholeBodyAfter100Continue() throws Exception {
        ScriptedIcapServer s = server(r -> ascii("ICAP/1.0 204 No Content\r\nISTag: \"T1\"\r\n\r\n"));
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, servers: [" + s.uri("av") + "]}");
        Adapted result = respmod(a, body("0123456789"));
        assertThat(result).isInstanceOf(Adapted.Pass.class);
        assertThat(((Adapted.Pass) result).modified()).isFalse();
        ScriptedIcapServer.Received seen = s.received.get(s.received.size() - 1);
        assertThat(seen.method()).isEqualTo("RESPMOD");
        assertThat(seen.header("X-Client-IP")).isEqualTo("10.1.2.3");
        assertThat(seen.header("X-Server-IP")).isEqualTo("192.0.2.7");
        assertThat(seen.header("Allow")).isEqualTo("204, 206");
        assertThat(seen.header("Preview")).isEqualTo("4");
        assertThat(seen.encapsulatedHeads()).startsWith("GET https://origin.test/file.txt HTTP/1.1\r\n")
                .contains("HTTP/1.1 200 OK\r\n");
        assertThat(new String(seen.body(), StandardCharsets.US_ASCII)).isEqualTo("0123456789");
        assertThat(result.results()).singleElement().satisfies(r -> {
            assertThat(r.result()).isEqualTo(IcapResult.UNMODIFIED);
            assertThat(r.server()).isEqualTo("127.0.0.1:" + s.uri("av").split(":")[2]);
        });
    }

    @Test
    void partialContentJoinsTheNewStartWithTheRestOfTheOriginal() throws Exception {
        ScriptedIcapServer s = server(r -> {
            String http = "HTTP/1.1 200 OK\r\nX-Adapted: yes\r\n\r\n";
            return ascii("ICAP/1.0 206 Partial Content\r\nISTag: \"T1\"\r\nEncapsulated: res-hdr=0, res-body="
                    + http.length() + "\r\n\r\n" + http + "5\r\nHELLO\r\n0; use-original-body=5\r\n\r\n");
        });
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, servers: [" + s.uri("av") + "]}");
        Adapted.Pass pass = (Adapted.Pass) respmod(a, body("hello, world"));
        assertThat(pass.modified()).isTrue();
        assertThat(pass.head().headers().get("X-Adapted")).isEqualTo("yes");
        assertThat(text(pass.body())).isEqualTo("HELLO, world");
        assertThat(pass.results().get(0).result()).isEqualTo(IcapResult.REPLACED);
    }

    @Test
    void aRequestCanBeRewrittenOrAnsweredByTheService() throws Exception {
        ScriptedIcapServer s = server(r -> {
            if (r.encapsulatedHeads().startsWith("GET https://origin.test/blocked")) {
                String http = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n";
                return ascii("ICAP/1.0 200 OK\r\nISTag: \"T1\"\r\nEncapsulated: res-hdr=0, res-body=" + http.length()
                        + "\r\n\r\n" + http + "7\r\ndenied.\r\n0\r\n\r\n");
            }
            String http = "POST https://origin.test/upload HTTP/1.1\r\nHost: origin.test\r\nX-Scrubbed: 1\r\n\r\n";
            return ascii("ICAP/1.0 200 OK\r\nISTag: \"T1\"\r\nEncapsulated: req-hdr=0, req-body=" + http.length()
                    + "\r\n\r\n" + http + "3\r\nxyz\r\n0\r\n\r\n");
        });
        IcapAdaptation a = adaptation("- {name: dlp, mode: reqmod, servers: [" + s.uri("dlp") + "]}");
        DefaultHttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        Adapted.Pass rewritten = (Adapted.Pass) reqmod(a, post, body("secret"));
        assertThat(((HttpRequest) rewritten.head()).uri()).isEqualTo("https://origin.test/upload");
        assertThat(rewritten.head().headers().get("X-Scrubbed")).isEqualTo("1");
        assertThat(text(rewritten.body())).isEqualTo("xyz");

        DefaultHttpRequest blocked = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/blocked");
        Adapted.Respond answered = (Adapted.Respond) reqmod(a, blocked, null);
        assertThat(answered.response().status().code()).isEqualTo(403);
        assertThat(text(answered.body())).isEqualTo("denied.");
        assertThat(answered.results().get(0).result()).isEqualTo(IcapResult.BLOCKED);
        assertThat(s.received.stream().filter(r -> r.method().equals("REQMOD")).toList().get(1).header("Encapsulated"))
                .isEqualTo("req-hdr=0, null-body=" + ("GET https://origin.test/blocked HTTP/1.1\r\n\r\n").length());
    }

    @Test
    void optionsAreFetchedAgainWhenTheirTtlRunsOut() throws Exception {
        ScriptedIcapServer s = new ScriptedIcapServer(r -> ascii(ScriptedIcapServer.OPTIONS_OK
                .replace("Preview: 4\r\n", "Options-TTL: 1\r\n")), r -> ascii("ICAP/1.0 204 No Content\r\n\r\n"));
        closing.add(s);
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, servers: [" + s.uri("av") + "]}");
        respmod(a, body("one"));
        long before = s.count("OPTIONS");
        respmod(a, body("two"));
        assertThat(s.count("OPTIONS")).as("still fresh").isEqualTo(before);
        Thread.sleep(1_100);
        respmod(a, body("three"));
        assertThat(s.count("OPTIONS")).as("expired after Options-TTL: 1").isEqualTo(before + 1);
        assertThat(s.connections.get()).as("persistent connections: the start-up probe's and one more at most")
                .isLessThanOrEqualTo(2);
    }

    @Test
    void theServersMaxConnectionsCapsThePool() throws Exception {
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
        ScriptedIcapServer s = new ScriptedIcapServer(r -> ascii(ScriptedIcapServer.OPTIONS_OK
                .replace("Preview: 4\r\n", "Max-Connections: 1\r\n")), r -> {
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inFlight.decrementAndGet();
                    return ascii("ICAP/1.0 204 No Content\r\n\r\n");
                });
        closing.add(s);
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, servers: [" + s.uri("av") + "]}");
        respmod(a, body("warm up: OPTIONS"));
        List<CompletableFuture<Adapted>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompletableFuture<Adapted> done = new CompletableFuture<>();
            a.adapt(new IcapMessage(get(), "https://origin.test/" + i, "origin.test", ok(), body("x" + i), null, null,
                    null), a.select(false, "origin.test", "GET", null), Runnable::run, done::complete);
            all.add(done);
        }
        for (CompletableFuture<Adapted> f : all) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(Adapted.Pass.class);
        }
        assertThat(maxInFlight.get()).as("transactions at once, with Max-Connections: 1").isEqualTo(1);
        assertThat(s.count("RESPMOD")).isEqualTo(5);
    }

    @Test
    void leastConnectionsSendsWorkAwayFromABusyServer() throws Exception {
        ScriptedIcapServer slow = server(r -> {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ascii("ICAP/1.0 204 No Content\r\n\r\n");
        });
        ScriptedIcapServer fast = server(r -> ascii("ICAP/1.0 204 No Content\r\n\r\n"));
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, balance: least-connections, servers: ["
                + slow.uri("av") + ", " + fast.uri("av") + "]}");
        CompletableFuture<Adapted> first = new CompletableFuture<>();
        a.adapt(new IcapMessage(get(), "https://origin.test/first", "origin.test", ok(), body("x"), null, null, null),
                a.select(false, "origin.test", "GET", null), Runnable::run, first::complete);
        long deadline = System.currentTimeMillis() + 5_000;
        while (slow.count("RESPMOD") == 0) { // the first job (equal loads: the first server) is now in progress
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(10);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(respmod(a, body("y" + i))).isInstanceOf(Adapted.Pass.class);
        }
        assertThat(fast.count("RESPMOD")).as("round-robin would have queued some behind the busy server").isEqualTo(4);
        assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(Adapted.Pass.class);
        assertThat(slow.count("RESPMOD")).isEqualTo(1);
    }

    @Test
    void aFailedServerIsRetriedOnAnotherAndCounted() throws Exception {
        ScriptedIcapServer broken = server(r -> ascii("ICAP/1.0 500 Server Error\r\n\r\n"));
        ScriptedIcapServer good = server(r -> ascii("ICAP/1.0 204 No Content\r\n\r\n"));
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, mark-down-after: 2, servers: [" + broken.uri("av")
                + ", " + good.uri("av") + "]}");
        // the start-up OPTIONS of both servers must be settled first: its outcome racing the first RESPMOD
        // failures made the consecutive count (and so the RESPMODs the broken server sees) vary
        long deadline = System.currentTimeMillis() + 5_000;
        while ((broken.count("OPTIONS") < 1 || good.count("OPTIONS") < 1) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        for (int i = 0; i < 4; i++) {
            Adapted.Pass pass = (Adapted.Pass) respmod(a, body("x"));
            assertThat(pass.results().get(0).result()).isEqualTo(IcapResult.UNMODIFIED);
            assertThat(pass.results().get(0).server()).isEqualTo(good.uri("av").substring(7));
        }
        assertThat(broken.count("RESPMOD")).as("out of rotation after two failures").isEqualTo(2);
    }

    @Test
    void anUnusableAnswerCountsAsAFailureAndTheChainStillEnds() throws Exception {
        ScriptedIcapServer s = server(r -> {
            String http = "NOT A STATUS LINE\r\n\r\n";
            return ascii("ICAP/1.0 200 OK\r\nISTag: \"T1\"\r\nEncapsulated: res-hdr=0, res-body=" + http.length()
                    + "\r\n\r\n" + http + "3\r\nabc\r\n0\r\n\r\n");
        });
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, failure-mode: fail-open, servers: [" + s.uri("av") + "]}");
        Adapted.Pass pass = (Adapted.Pass) respmod(a, body("original"));
        assertThat(pass.modified()).isFalse();
        assertThat(text(pass.body())).isEqualTo("original");
        assertThat(pass.results().get(0).result()).isEqualTo(IcapResult.ERROR);
        assertThat(respmod(a, body("again"))).as("the pool still works").isInstanceOf(Adapted.Pass.class);
    }

    @Test
    void silenceIsATimeoutAndFailOpenPassesTheMessage() throws Exception {
        ScriptedIcapServer s = server(r -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        IcapAdaptation a = adaptation("- {name: av, mode: respmod, failure-mode: fail-open, timeout: 300ms, retries: 0, "
                + "servers: [" + s.uri("av") + "]}");
        Adapted.Pass pass = (Adapted.Pass) respmod(a, body("x"));
        assertThat(pass.modified()).isFalse();
        IcapResult r = pass.results().get(0);
        assertThat(r.result()).isEqualTo(IcapResult.ERROR);
        assertThat(r.reason()).contains("no complete answer within 300 ms").contains("fail-open");
    }

    @Test
    void aFailClosedServiceRefusesAndABodyOverTheLimitFollowsOverMax() throws Exception {
        IcapAdaptation a = adaptation("""
                - {name: av, mode: respmod, connect-timeout: 300ms, servers: ["icap://127.0.0.1:9/av"]}
                """);
        Adapted.Refuse refused = (Adapted.Refuse) respmod(a, body("x"));
        assertThat(refused.page().status()).isEqualTo(503);
        assertThat(refused.page().title()).contains("av");

        ScriptedIcapServer s = server(r -> ascii("ICAP/1.0 204 No Content\r\n\r\n"));
        IcapAdaptation limited = adaptation("- {name: big, mode: respmod, max-body-bytes: 4, over-max: block, servers: ["
                + s.uri("av") + "]}");
        Adapted.Refuse tooBig = (Adapted.Refuse) respmod(limited, body("12345"));
        assertThat(tooBig.page().status()).isEqualTo(403);
        assertThat(s.count("RESPMOD")).isZero();
        IcapAdaptation skipping = adaptation("- {name: big, mode: respmod, max-body-bytes: 4, servers: [" + s.uri("av") + "]}");
        Adapted.Pass skipped = (Adapted.Pass) respmod(skipping, body("12345"));
        assertThat(skipped.results().get(0).result()).isEqualTo(IcapResult.NOT_SCANNED);
        IcapSelection declared = skipping.select(false, "origin.test", "GET", null, 5);
        assertThat(declared.any()).as("a declared length over the limit is never held for a skipping service").isFalse();
        assertThat(declared.skipped().get(0).reason()).contains("max-body-bytes");
        assertThat(limited.select(false, "origin.test", "GET", null, 5).blockedBy())
                .as("a blocking service refuses it before a byte is held").isEqualTo("big");
    }

    @Test
    void nonHttpStreamsAreRefusedOnlyInTheScopeOfABlockingService() {
        IcapAdaptation a = adaptation("""
                - {name: av, mode: respmod, servers: ["icap://127.0.0.1:1/av"], failure-mode: fail-closed, hosts: [.corp.test]}
                - {name: dlp, mode: reqmod, servers: ["icap://127.0.0.1:1/dlp"], failure-mode: fail-open}
                """);
        assertThat(a.refusesNonHttp("files.corp.test")).hasValueSatisfying(r -> assertThat(r)
                .contains("ICAP service av").contains("fail-closed").contains("non-http: block"));
        assertThat(a.refusesNonHttp("elsewhere.test")).as("outside the fail-closed service's hosts").isEmpty();
        IcapAdaptation relay = adaptation("""
                - {name: av, mode: respmod, servers: ["icap://127.0.0.1:1/av"], failure-mode: fail-closed, non-http: relay}
                """);
        assertThat(relay.refusesNonHttp("files.corp.test")).as("the operator chose relay").isEmpty();
        IcapAdaptation openBlock = adaptation("""
                - {name: av, mode: respmod, servers: ["icap://127.0.0.1:1/av"], failure-mode: fail-open, non-http: block}
                """);
        assertThat(openBlock.refusesNonHttp("any.test")).isPresent();
    }
}
