package dev.loupe.core.intel;

import static dev.loupe.core.intel.IndicatorType.CIDR;
import static dev.loupe.core.intel.IndicatorType.DOMAIN;
import static dev.loupe.core.intel.IndicatorType.IP;
import static dev.loupe.core.intel.IndicatorType.URL;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndicatorStoreTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private static Indicator of(IndicatorType type, String value) {
        return Indicator.of(type, value, "test", 50, NOW);
    }

    private static final IndicatorStore STORE = IndicatorStore.build(List.of(
            of(DOMAIN, "exact.example"),
            of(DOMAIN, "*.wild.example"),
            of(DOMAIN, "deep.sub.wild.example"),
            of(URL, "http://good.example/bad.exe"),
            of(URL, "https://good.example/kit/"),
            of(URL, "http://good.example:8080/other"),
            of(URL, "http://good.example/q?id=7"),
            of(URL, "http://good.example/deep/er/"),
            of(IP, "192.0.2.1"),
            of(IP, "2001:db8::1"),
            of(CIDR, "10.0.0.0/8"),
            of(CIDR, "10.1.0.0/16"),
            of(CIDR, "2001:db8:ff00::/40"),
            of(CIDR, "2001:db9::/32")), NOW);

    @ParameterizedTest
    @CsvSource({
        "exact.example,              exact.example",
        "EXACT.Example.,             exact.example",
        "www.exact.example,          ",
        "wild.example,               wild.example",
        "a.b.wild.example,           wild.example",
        "deep.sub.wild.example,      deep.sub.wild.example",
        "x.deep.sub.wild.example,    wild.example",
        "notwild.example,            ",
        "example,                    ",
        "192.0.2.1,                  192.0.2.1",
        "'',                         ",
    })
    void hosts(String host, String expected) {
        Optional<Match> match = STORE.matchHost(host, NOW);
        assertThat(match.map(m -> m.indicator().value()).orElse(null)).isEqualTo(expected);
        match.ifPresent(m -> assertThat(m.matchedOn()).isEqualTo("host"));
    }

    @ParameterizedTest
    @CsvSource({
        "http,  good.example, 80,   /bad.exe,             good.example/bad.exe",
        "https, GOOD.example, 443,  /bad.exe?x=1#f,       good.example/bad.exe",
        "https, good.example, 443,  /bad.exe/more,        ",
        "http,  good.example, 8080, /bad.exe,             ",
        "https, good.example, 443,  /kit/,                good.example/kit/",
        "https, good.example, 443,  /kit/a/b.js?v=2,      good.example/kit/",
        "https, good.example, 443,  /kit,                 ",
        "https, good.example, 443,  /x/../kit/a,          good.example/kit/",
        "https, good.example, 443,  /%6Bit/a,             good.example/kit/",
        "http,  good.example, 8080, /other,               good.example:8080/other",
        "http,  good.example, 80,   /other,               ",
        "http,  good.example, 80,   /q?id=7,              good.example/q?id=7",
        "http,  good.example, 80,   /q?id=8,              ",
        "http,  good.example, 80,   /q,                   ",
        "https, good.example, 443,  /,                    ",
        "https, good.example, 443,  '',                   ",
        "http,  good.example, 80,   /deep/er/x/y.js,      good.example/deep/er/",
        "http,  good.example, 80,   /deep/x/er/,          ",
    })
    void urls(String scheme, String host, int port, String path, String expected) {
        Optional<Match> match = STORE.matchUrl(scheme, host, port, path, NOW);
        assertThat(match.map(m -> m.indicator().value()).orElse(null)).isEqualTo(expected);
        match.ifPresent(m -> assertThat(m.matchedOn()).isEqualTo("url"));
    }

    @Test
    void hostIndicatorsAlsoApplyToUrls() {
        Match match = STORE.matchUrl("https", "www.wild.example", 443, "/anything", NOW).orElseThrow();
        assertThat(match.matchedOn()).isEqualTo("host");
        assertThat(match.indicator().value()).isEqualTo("wild.example");
    }

    @Test
    void rootUrlCoversTheWholeSiteOnThatPortOnly() {
        IndicatorStore store = IndicatorStore.build(List.of(of(URL, "https://site.example")), NOW);
        assertThat(store.matchUrl("https", "site.example", 443, "/deep/x?y", NOW)).isPresent();
        assertThat(store.matchUrl("http", "site.example", 8080, "/deep/x", NOW)).isEmpty();
        assertThat(store.matchHost("site.example", NOW)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "192.0.2.1,               192.0.2.1",
        "192.0.2.2,               ",
        "10.9.9.9,                10.0.0.0/8",
        "10.1.2.3,                10.1.0.0/16",
        "::ffff:10.1.2.3,         10.1.0.0/16",
        "11.0.0.1,                ",
        "2001:db8::1,             2001:db8:0:0:0:0:0:1",
        "2001:db8::2,             ",
        "2001:db8:ff12::7,        2001:db8:ff00:0:0:0:0:0/40",
        "2001:db9:1234::1,        2001:db9:0:0:0:0:0:0/32",
        "2001:dba::1,             ",
    })
    void addresses(String address, String expected) throws Exception {
        Optional<Match> match = STORE.matchAddress(InetAddress.getByName(address), NOW);
        assertThat(match.map(m -> m.indicator().value()).orElse(null)).isEqualTo(expected);
        match.ifPresent(m -> assertThat(m.matchedOn()).isEqualTo("address"));
    }

    @Test
    void expiryIsRespectedAtLookupTimeAndAtBuild() throws Exception {
        Instant soon = NOW.plus(Duration.ofHours(1));
        IndicatorStore store = IndicatorStore.build(List.of(
                new Indicator(DOMAIN, "gone.example", false, "t", 50, NOW, NOW, soon),
                new Indicator(DOMAIN, "parent.example", true, "t", 50, NOW, NOW, null),
                new Indicator(DOMAIN, "child.parent.example", false, "t", 90, NOW, NOW, soon),
                new Indicator(URL, "gone.test/x", false, "t", 50, NOW, NOW, soon),
                new Indicator(CIDR, "10.0.0.0/8", false, "t", 50, NOW, NOW, soon),
                new Indicator(IP, "192.0.2.9", false, "t", 50, NOW, NOW, NOW.minusSeconds(1))), NOW);
        assertThat(store.size()).as("already expired at build").isEqualTo(5);
        assertThat(store.matchHost("gone.example", NOW)).isPresent();
        assertThat(store.matchHost("gone.example", soon)).isEmpty();
        assertThat(store.matchHost("child.parent.example", NOW).orElseThrow().indicator().risk()).isEqualTo(90);
        assertThat(store.matchHost("child.parent.example", soon).orElseThrow().indicator().value())
                .as("an expired specific entry falls back to its live parent").isEqualTo("parent.example");
        assertThat(store.matchUrl("http", "gone.test", 80, "/x", soon)).isEmpty();
        assertThat(store.matchAddress(InetAddress.getByName("10.1.1.1"), soon)).isEmpty();
    }

    @Test
    void duplicatesAreMergedWhateverTheOrder() {
        Instant earlier = NOW.minus(Duration.ofDays(3));
        Indicator a = new Indicator(DOMAIN, "dup.example", false, "feed-b", 40, earlier, earlier, NOW.plusSeconds(60));
        Indicator b = new Indicator(DOMAIN, "DUP.example.", false, "feed-a", 80, NOW, NOW, null);
        Indicator c = new Indicator(DOMAIN, "*.dup.example", false, "feed-b", 10, NOW, NOW, NOW.plusSeconds(5));
        Indicator forward = IndicatorStore.build(List.of(a, b, c), NOW).list(0, 10).getFirst();
        Indicator backward = IndicatorStore.build(List.of(c, b, a), NOW).list(0, 10).getFirst();
        assertThat(forward).isEqualTo(backward);
        assertThat(forward)
                .isEqualTo(new Indicator(DOMAIN, "dup.example", true, "feed-a,feed-b", 80, earlier, NOW, null));
    }

    @Test
    void hitsAreCountedPerIndicatorAndSurviveARebuild() throws Exception {
        Match first = STORE.matchHost("a.wild.example", NOW).orElseThrow();
        IndicatorStore store = IndicatorStore.build(STORE.list(0, 100), NOW);
        Match match = store.matchAddress(InetAddress.getByName("10.2.3.4"), NOW).orElseThrow();
        store.recordHit(match);
        store.recordHit(match);
        assertThat(store.hits(match.indicator())).isEqualTo(2);
        assertThat(store.hits(first.indicator())).isZero();
        IndicatorStore next = IndicatorStore.build(List.of(of(CIDR, "10.0.0.0/8")), NOW, store);
        next.recordHit(next.matchAddress(InetAddress.getByName("10.0.0.1"), NOW).orElseThrow());
        assertThat(next.hits(of(CIDR, "10.0.0.0/8"))).isEqualTo(3);
    }

    @Test
    void countsAndPaging() {
        assertThat(STORE.size()).isEqualTo(14);
        assertThat(STORE.countsByType()).isEqualTo(Map.of(URL, 5, DOMAIN, 3, IP, 2, CIDR, 4));
        List<Indicator> pages = new ArrayList<>();
        for (int offset = 0; offset < 20; offset += 5) {
            pages.addAll(STORE.list(offset, 5));
        }
        assertThat(pages).hasSize(14).doesNotHaveDuplicates();
        assertThat(pages).extracting(Indicator::type).isSorted();
        assertThat(pages.subList(0, 5)).extracting(Indicator::value).isSorted();
        assertThat(STORE.list(13, 100)).hasSize(1);
        assertThat(STORE.list(100, 5)).isEmpty();
        assertThat(IndicatorStore.empty().countsByType()).containsEntry(URL, 0).hasSize(4);
    }
}
