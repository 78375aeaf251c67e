package dev.loupe.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OwnHeadLineEndsTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void headEndsAtTheFirstEmptyLineWhateverTheLineEnds() {
        assertThat(OwnHeadLineEnds.headEnd(b("CONNECT h:1 HTTP/1.0\n\nrest"), 26)).isEqualTo(22);
        assertThat(OwnHeadLineEnds.headEnd(b("GET / HTTP/1.1\r\nHost: h\r\n\r\nx"), 28)).isEqualTo(27);
        assertThat(OwnHeadLineEnds.headEnd(b("GET / HTTP/1.1\r\nHost: h\r\n"), 25)).isEqualTo(-1);
        // appended bytes are scanned from two before the old end: an empty line split across reads is found
        byte[] split = b("GET / HTTP/1.1\r\nHost: h\r\n\r\nx");
        assertThat(OwnHeadLineEnds.headEnd(split, 0, 26)).isEqualTo(-1);
        assertThat(OwnHeadLineEnds.headEnd(split, 24, 28)).isEqualTo(27);
    }

    @Test
    void connectAndOriginFormHeadsGetCrlf() {
        assertThat(new String(OwnHeadLineEnds.normalisedIfOwn(b("CONNECT h:443 HTTP/1.0\nHost: h\n\n")),
                StandardCharsets.US_ASCII)).isEqualTo("CONNECT h:443 HTTP/1.0\r\nHost: h\r\n\r\n");
        assertThat(new String(OwnHeadLineEnds.normalisedIfOwn(b("GET /loupe-ca.pem HTTP/1.1\r\nA: b\n\r\n")),
                StandardCharsets.US_ASCII)).isEqualTo("GET /loupe-ca.pem HTTP/1.1\r\nA: b\r\n\r\n");
    }

    @Test
    void forwardedHeadsAreLeftToTheStrictParser() {
        assertThat(OwnHeadLineEnds.normalisedIfOwn(b("GET http://o/ HTTP/1.1\nHost: o\n\n"))).isNull();
        assertThat(OwnHeadLineEnds.normalisedIfOwn(b("garbage"))).isNull();
    }
}
