package dev.loupe.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.log.AccessLog;
import dev.loupe.gateway.session.Defences;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The request-head deadline on an EmbeddedChannel, time advanced by hand: what closes, and what is counted. */
class RequestHeadTimeoutTest {
    private final Defences defences = new Defences();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime(); // only advanceTimeBy moves the clock: class loading must not eat the deadline
        Session session = new Session("t1", "explicit", ch, AccessLog.NONE);
        ch.attr(Session.KEY).set(session);
        ch.pipeline().addLast(session.counter(), HttpCodecs.server(4096, 8192),
                new RequestHeadTimeout(Duration.ofSeconds(1), defences));
        return ch;
    }

    @Test
    void aHeadStartedButNotFinishedInTimeClosesAndIsCounted() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("CONNECT upst", StandardCharsets.US_ASCII));
        assertThat(ch.isOpen()).as("open after the partial head").isTrue();
        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("before the deadline").isTrue();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(defences.refusals()).containsEntry("request-head-timeout", 1L);
    }

    @Test
    void anIdleKeepAliveConnectionClosesUncounted() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", StandardCharsets.US_ASCII));
        Object request = ch.readInbound();
        assertThat(request).isNotNull();
        io.netty.util.ReferenceCountUtil.release(request);
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("a request in progress has no head deadline").isTrue();
        // the answer ends the exchange: the deadline for the next head starts now
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(defences.refusals()).doesNotContainKey("request-head-timeout");
    }

    @Test
    void aDeadlineRestartedBeforeTheArmedTimerFiresGetsItsFullTime() throws Exception {
        EmbeddedChannel ch = channel();
        ch.advanceTimeBy(900, TimeUnit.MILLISECONDS);
        exchange(ch); // the next head's deadline is now 900 + 1000 ms, while a timer is still armed for 1000 ms
        ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("at 1100 ms: the first timer fired, found the later deadline, re-armed").isTrue();
        ch.advanceTimeBy(790, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("at 1890 ms").isTrue();
        ch.advanceTimeBy(20, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("at 1910 ms: 1000 ms after the last answer").isFalse();
    }

    @Test
    void manyQuickExchangesKeepTheConnectionAndOneTimer() throws Exception {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 50; i++) {
            ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            exchange(ch);
        }
        assertThat(ch.isOpen()).as("5 s of requests 100 ms apart, each within the 1 s deadline").isTrue();
        ch.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    /** One whole request and its answer. */
    private static void exchange(EmbeddedChannel ch) {
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", StandardCharsets.US_ASCII));
        Object request;
        while ((request = ch.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(request);
        }
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        Object out;
        while ((out = ch.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }
}
