package dev.loupe.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http2AnswerDetectorTest {
    @Test
    void anHttp2PrefaceIsNamedAndItsBytesPassOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2AnswerDetector());
        // SETTINGS, length 6, stream 0: MAX_CONCURRENT_STREAMS = 100
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100}));
        ByteBuf passed = ch.readInbound();
        assertThat(passed.readableBytes()).isEqualTo(15);
        passed.release();
        assertThat(Http2AnswerDetector.malformedReason(ch, "invalid version")).contains("answered in HTTP/2");
        assertThat(ch.pipeline().get(Http2AnswerDetector.class)).as("gone after the first read").isNull();
    }

    @Test
    void anHttp1ResponseKeepsTheDecodersReason() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2AnswerDetector());
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII));
        ((ByteBuf) ch.readInbound()).release();
        assertThat(Http2AnswerDetector.malformedReason(ch, "invalid version")).isEqualTo("invalid version");
    }

    @Test
    void framesOnOtherStreamsOrOfOtherTypesAreNotAPreface() {
        assertThat(Http2AnswerDetector.isHttp2Frame(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 1})))
                .isFalse();
        assertThat(Http2AnswerDetector.isHttp2Frame(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0})))
                .isFalse();
        assertThat(Http2AnswerDetector.isHttp2Frame(Unpooled.wrappedBuffer(new byte[] {0, 0, 8, 7, 0, 0, 0, 0, 0})))
                .isTrue();
    }
}
