package dev.loupe.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostnameMatcherTest {

    private static final X509Certificate CERT = TestCertificates.spec("CN=cn-only.example.test", TestPki.LEAF_KEYS)
            .issuedBy(TestPki.INTERMEDIATE)
            .dns("www.example.test", "MiXeD.Example.Test", "dotted.example.test.", "*.wild.example.test",
                    "*.test", "f*.partial.example.test", "*.*.double.example.test", "a.*.mid.example.test",
                    "xn--bcher-kva.example.test", "10.0.0.1")
            .ip("127.0.0.1", "::1", "2001:db8::42")
            .build().cert();

    private static final X509Certificate CN_ONLY = TestCertificates.spec("CN=cn-only.example.test", TestPki.LEAF_KEYS)
            .issuedBy(TestPki.INTERMEDIATE).build().cert();

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource({
        // exact, case-insensitive, trailing dot on either side
        "www.example.test, true",
        "WWW.EXAMPLE.TEST, true",
        "www.example.test., true",
        "mixed.example.test, true",
        "dotted.example.test, true",
        "example.test, false",
        "ww.example.test, false",
        "'', false",
        // wildcard: exactly one whole left-most label
        "a.wild.example.test, true",
        "A-B.Wild.Example.Test, true",
        "wild.example.test, false",
        "a.b.wild.example.test, false",
        ".wild.example.test, false",
        "*.wild.example.test, false",
        // *.test has only one label after the wildcard
        "anything.test, false",
        // partial and non-left-most wildcards never match
        "foo.partial.example.test, false",
        "f.partial.example.test, false",
        "a.b.double.example.test, false",
        "a.x.mid.example.test, false",
        // IDN A-labels compare as plain ASCII; U-labels are not converted
        "xn--bcher-kva.example.test, true",
        "XN--BCHER-KVA.example.test, true",
        "bücher.example.test, false",
        // IP literals match iPAddress SANs only
        "127.0.0.1, true",
        "127.0.0.2, false",
        "::1, true",
        "[::1], true",
        "0:0:0:0:0:0:0:1, true",
        "[0:0:0:0:0:0:0:1], true",
        "::2, false",
        "2001:DB8:0:0:0:0:0:42, true",
        "10.0.0.1, false",
        "256.0.0.1, false",
        "[::1, false",
        // the subject CN is ignored
        "cn-only.example.test, false",
    })
    void matchesLikeABrowser(String host, boolean expected) {
        assertThat(HostnameMatcher.matches(CERT, host)).isEqualTo(expected);
    }

    @Test
    void commonNameIsNeverUsed() {
        assertThat(HostnameMatcher.matches(CN_ONLY, "cn-only.example.test")).isFalse();
        assertThat(HostnameMatcher.describeNames(CN_ONLY)).isEmpty();
    }

    @Test
    void nullHostNeverMatches() {
        assertThat(HostnameMatcher.matches(CERT, null)).isFalse();
    }

    @Test
    void describesDnsAndIpNames() {
        X509Certificate cert = TestPki.leaf().ip("::1").build().cert();
        assertThat(HostnameMatcher.describeNames(cert))
                .containsExactly("DNS:www.example.test", "IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1");
    }

    @Test
    void wildcardRulesOnPlainStrings() {
        assertThat(HostnameMatcher.dnsMatches("*.example.com", "a.example.com")).isTrue();
        assertThat(HostnameMatcher.dnsMatches("*.example.com", "example.com")).isFalse();
        assertThat(HostnameMatcher.dnsMatches("*.example.com", "a.b.example.com")).isFalse();
        assertThat(HostnameMatcher.dnsMatches("f*.example.com", "foo.example.com")).isFalse();
        assertThat(HostnameMatcher.dnsMatches("*.com", "example.com")).isFalse();
        assertThat(HostnameMatcher.dnsMatches("*", "com")).isFalse();
    }
}
