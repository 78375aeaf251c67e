package dev.loupe.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecryptedProtocolSnifferTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1|true",
        "POST /x HTTP/1.1|true",
        "OPTIONS * HTTP/1.1|true",
        "PROPFIND /d HTTP/1.1|true",
        "a001 LOGIN user pass|false",
        "EHLO|false",
        "get / HTTP/1.1|false",
        "PRI * HTTP/2.0|false",
    })
    void recognisesHttpRequestLines(String firstBytes, boolean http) {
        var buf = Unpooled.copiedBuffer(firstBytes, StandardCharsets.US_ASCII);
        assertThat(DecryptedProtocolSniffer.looksLikeHttp(buf)).isEqualTo(http);
        assertThat(buf.readerIndex()).isZero();
        buf.release();
    }
}
