package dev.loupe.core.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndicatorTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @ParameterizedTest
    @CsvSource({
        "http://Evil.Example/a,                 evil.example/a",
        "https://evil.example:443/a?b=1#frag,   evil.example/a?b=1",
        "http://evil.example:80,                evil.example/",
        "https://evil.example:8443/,            evil.example:8443/",
        "HTTPS://user:pw@EVIL.example.:8080/X,  evil.example:8080/X",
        "evil.example/kit/,                     evil.example/kit/",
        "//evil.example/a/./b/../c,             evil.example/a/c",
        "http://evil.example/%7euser/%2f%41?q=%2a, evil.example/~user/%2FA?q=%2A",
        "http://evil.example/a?,                evil.example/a",
        "http://evil.example?x=1,               evil.example/?x=1",
        "http://[2001:DB8::1]:8080/p,           [2001:db8:0:0:0:0:0:1]:8080/p",
        "http://[::1]/,                         [0:0:0:0:0:0:0:1]/",
        "http://192.0.2.1/p,                    192.0.2.1/p",
        "http://bücher.example/,                xn--bcher-kva.example/",
    })
    void urlsAreNormalised(String raw, String canonical) {
        assertThat(Indicator.of(IndicatorType.URL, raw, "t", 50, NOW).value()).isEqualTo(canonical);
    }

    @Test
    void domainsAreLowerCasedWithoutTrailingDotAndWildcardsSetTheFlag() {
        Indicator exact = Indicator.of(IndicatorType.DOMAIN, "Bad.Example.", "t", 50, NOW);
        assertThat(exact.value()).isEqualTo("bad.example");
        assertThat(exact.includeSubdomains()).isFalse();
        Indicator wildcard = Indicator.of(IndicatorType.DOMAIN, "*.Bad.Example", "t", 50, NOW);
        assertThat(wildcard.value()).isEqualTo("bad.example");
        assertThat(wildcard.includeSubdomains()).isTrue();
        assertThat(Indicator.of(IndicatorType.DOMAIN, ".bad.example", "t", 50, NOW).includeSubdomains()).isTrue();
    }

    @Test
    void addressesAndNetworksAreCanonical() {
        assertThat(Indicator.of(IndicatorType.IP, "2001:DB8::0:1", "t", 50, NOW).value())
                .isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(Indicator.of(IndicatorType.IP, "::ffff:192.0.2.1", "t", 50, NOW).value()).isEqualTo("192.0.2.1");
        assertThat(Indicator.of(IndicatorType.CIDR, "10.1.2.3/8", "t", 50, NOW).value()).isEqualTo("10.0.0.0/8");
    }

    @Test
    void invalidValuesAreRefused() {
        assertThatThrownBy(() -> Indicator.of(IndicatorType.DOMAIN, "bad..example", "t", 50, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Indicator.of(IndicatorType.DOMAIN, "192.0.2.1", "t", 50, NOW))
                .hasMessageContaining("IP address");
        assertThatThrownBy(() -> Indicator.of(IndicatorType.IP, "10.0.0.0/8", "t", 50, NOW))
                .hasMessageContaining("CIDR");
        assertThatThrownBy(() -> Indicator.of(IndicatorType.URL, "http:///nohost", "t", 50, NOW))
                .hasMessageContaining("no host");
        assertThatThrownBy(() -> Indicator.of(IndicatorType.URL, "http://x.example:99999/", "t", 50, NOW))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> Indicator.of(IndicatorType.URL, "http://[::1]x/", "t", 50, NOW))
                .hasMessageContaining("IPv6");
        assertThatThrownBy(() -> Indicator.of(IndicatorType.URL, "http://[::1/", "t", 50, NOW))
                .hasMessageContaining("IPv6");
        assertThatThrownBy(() -> Indicator.of(IndicatorType.IP, "192.0.2.1", "t", 101, NOW))
                .hasMessageContaining("risk");
        assertThatThrownBy(() -> new Indicator(IndicatorType.IP, "192.0.2.1", true, "t", 5, NOW, NOW, null))
                .hasMessageContaining("subdomains");
    }

    @Test
    void expiryIsInclusive() {
        Indicator indicator = new Indicator(IndicatorType.IP, "192.0.2.1", false, "t", 5, NOW, NOW, NOW);
        assertThat(indicator.isExpired(NOW.minusSeconds(1))).isFalse();
        assertThat(indicator.isExpired(NOW)).isTrue();
    }
}
