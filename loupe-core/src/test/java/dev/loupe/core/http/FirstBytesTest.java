package dev.loupe.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirstBytesTest {
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
        "get / HTTP/1.1\\r\\nHost: a|true",
        "POST\\t/x HTTP/1.1\\r\\n|true",
        "a001 LOGIN user pass\\r\\n|false",
        "get key\\r\\n|false",
        "HELLO 1234\\r\\nmore|false",
        "HELO mail.test|false",
        "FOO /x HTTP/1.1\\r\\n|true",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM|false",
        "Get\\u0000 / HTTP/1.1\\r\\n|false",
    })
    void recognisesHttpRequestLines(String firstBytes, boolean http) {
        byte[] buf = firstBytes.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
                .replace("\\u0000", "\0").getBytes(StandardCharsets.US_ASCII);
        assertThat(FirstBytes.classify(buf) == FirstBytes.Guess.HTTP).isEqualTo(http);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "G|UNDECIDED",
        "GE|UNDECIDED",
        "GET|UNDECIDED",
        "\\r\\nGET / HTTP/1.1|HTTP",
        "x|UNDECIDED",
        "post /x HT|UNDECIDED",
        "\\u0001x|OTHER",
        "{\"a\":1}|OTHER",
        "a001 LOGIN\\r\\n|OTHER",
    })
    void waitsForEnoughBytesAndSkipsLeadingEmptyLines(String firstBytes, FirstBytes.Guess guess) {
        byte[] buf = firstBytes.replace("\\r", "\r").replace("\\n", "\n")
                .replace("\\u0001", "\u0001").getBytes(StandardCharsets.US_ASCII);
        assertThat(FirstBytes.classify(buf)).isEqualTo(guess);
    }
}
