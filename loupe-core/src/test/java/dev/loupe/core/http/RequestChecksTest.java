package dev.loupe.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestChecksTest {
    @ParameterizedTest(name = "Host {0} is bound to good.example:443")
    @ValueSource(strings = {"good.example", "GOOD.example", "good.example:443", "good.example.", " good.example "})
    void hostsNamingTheTunnelPass(String host) {
        assertThat(RequestChecks.hostProblem(List.of(host), "good.example", 443, 443)).isEmpty();
    }

    @ParameterizedTest(name = "Host [{0}] is refused")
    @ValueSource(strings = {"evil.example", "good.example:8443", "good.example:80", "user@good.example",
        "good.example/x", "", "good.example:", "good.example:99999", "good.example:+443", "good example",
        "good.example\u0000", "evil.example#good.example", "[::1]"})
    void otherHostsAreRefused(String host) {
        assertThat(RequestChecks.hostProblem(List.of(host), "good.example", 443, 443)).isPresent();
    }

    @org.junit.jupiter.api.Test
    void exactlyOneHostIsRequired() {
        assertThat(RequestChecks.hostProblem(List.of(), "good.example", 443, 443)).hasValue(
                "the request has no Host header");
        assertThat(RequestChecks.hostProblem(List.of("good.example", "good.example"), "good.example", 443, 443))
                .hasValue("the request has 2 Host headers");
    }

    @ParameterizedTest(name = "{0} bound to {1}:{2}")
    @CsvSource(delimiter = '|', value = {
        "[::1]:8443        | ::1       | 8443",
        "[0:0::1]:8443     | ::1       | 8443",
        "10.0.0.1:8443     | 10.0.0.1  | 8443",
        "upstream.test:80  | upstream.test | 80",
    })
    void literalsAndPortsCompareCanonically(String host, String bound, int port) {
        assertThat(RequestChecks.hostProblem(List.of(host), bound, port, 443)).isEmpty();
    }

    @ParameterizedTest(name = "header name [{0}]")
    @ValueSource(strings = {"Transfer_Encoding", "transfer-encoding ", " Transfer-Encoding", "Content_Length",
        "content-length\t", "CONTENT_length", "Transfer-Encoding\u000b"})
    void namesThatLenientServersReadAsFramingAreRefused(String name) {
        assertThat(RequestChecks.headerNameProblem(List.of("Host", name))).hasValueSatisfying(p ->
                assertThat(p).contains("lenient"));
    }

    @ParameterizedTest(name = "header name [{0}] passes")
    @ValueSource(strings = {"Transfer-Encoding", "content-length", "X-Content-Length", "Content-Type", "TE"})
    void realFramingAndOtherNamesPass(String name) {
        assertThat(RequestChecks.headerNameProblem(List.of(name))).isEmpty();
    }
}
