package dev.loupe.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client-side codec's framing on an EmbeddedChannel: what it parses, and what it refuses outright. */
class HttpCodecsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|ok",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\n\\r\\nx|ok",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\nx\\r\\n0\\r\\n\\r\\n|ok",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 5\\r\\n\\r\\n0\\r\\n\\r\\n|refused",
        "GET / HTTP/1.1\\nHost: a\\n\\n|refused",
        "GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n|refused",
        "GET / HTTP/1.1\\r\\n Host: a\\r\\n\\r\\n|refused",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1, 2\\r\\n\\r\\nx|refused",
    })
    void strictFramingOrARefusal(String raw, String expected) {
        EmbeddedChannel ch = new EmbeddedChannel(HttpCodecs.server(4096, 8192));
        ch.writeInbound(Unpooled.copiedBuffer(raw.replace("\\r", "\r").replace("\\n", "\n"), StandardCharsets.US_ASCII));
        List<HttpObject> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((HttpObject) o);
        }
        boolean failed = out.stream().anyMatch(o -> o.decoderResult().isFailure());
        boolean request = out.stream().anyMatch(o -> o instanceof HttpRequest r && r.decoderResult().isSuccess());
        out.forEach(ReferenceCountUtil::release);
        assertThat(failed ? "refused" : request ? "ok" : "nothing").as(raw).isEqualTo(expected);
        ch.finishAndReleaseAll();
    }
}
