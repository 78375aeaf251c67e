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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "G|UNDECIDED",
        "GE|UNDECIDED",
        "GET|UNDECIDED",
        "\\r\\nGET / HTTP/1.1|HTTP",
        "x|OTHER",
        "ABCDEFGHIJKLMNOPQ|OTHER",
    })
    void waitsForEnoughBytesAndSkipsLeadingEmptyLines(String firstBytes, DecryptedProtocolSniffer.Guess guess) {
        var buf = Unpooled.copiedBuffer(firstBytes.replace("\\r", "\r").replace("\\n", "\n"),
                StandardCharsets.US_ASCII);
        assertThat(DecryptedProtocolSniffer.classify(buf)).isEqualTo(guess);
        buf.release();
    }
}
