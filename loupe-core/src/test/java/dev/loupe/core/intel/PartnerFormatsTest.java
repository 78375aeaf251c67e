package dev.loupe.core.intel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The partners' own formats, on samples written from their published descriptions: STIX 1.x XML, abuse.ch
 * URLhaus and ThreatFox CSV dumps, MISP feed events, and a vendor CSV read through a column mapping.
 */
class PartnerFormatsTest {
    static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    @Test
    void stix1ReadsUrlsDomainsAddressesAndSkipsWhatItCannotMatchWithTheReason() {
        ParseResult r = Stix1Parser.parse(resource("stix1-package.xml"), "stix1", NOW);
        assertThat(values(r)).containsExactlyInAnyOrder("stix1.test/payload/dropper.exe", "c2.stix1.test",
                "198.51.100.7", "198.51.100.8", "203.0.113.0/24", "2001:db8:0:0:0:0:0:bad", "either.stix1.test",
                "by-reference.stix1.test");
        assertThat(r.skipped()).containsEntry("condition Contains", 1).containsEntry("object type FileObjectType", 1)
                .containsEntry("expired", 1).containsEntry("observable composition AND", 1);
        assertThat(r.problems()).singleElement().satisfies(p ->
                assertThat(p.reason()).contains("indicator 11 (example:indicator-bad-ip-1)"));
        Indicator url = r.indicators().stream().filter(i -> i.type() == IndicatorType.URL).findFirst().orElseThrow();
        assertThat(url.expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(url.risk()).as("Confidence High").isEqualTo(90);
    }

    @Test
    void stix1OfVersion101WithItsDefinedObjectSpellingReads() {
        ParseResult r = Stix1Parser.parse(resource("stix101-package.xml"), "stix1", NOW);
        assertThat(values(r)).containsExactly("legacy.stix1.test/login.php");
    }

    @Test
    @Timeout(5)
    void stix1RefusesDoctypesSoNoEntityIsEverExpandedOrFetched() {
        String bomb = """
                <?xml version="1.0"?>
                <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
                <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1">&lol3;</stix:STIX_Package>""";
        ParseResult r = Stix1Parser.parse(bomb, "stix1", NOW);
        assertThat(r.indicators()).isEmpty();
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("DOCTYPE"));
        String external = """
                <?xml version="1.0"?>
                <!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
                <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1">&xxe;</stix:STIX_Package>""";
        assertThat(Stix1Parser.parse(external, "stix1", NOW).problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("DOCTYPE"));
        assertThat(Stix1Parser.parse("<html>not stix</html>", "stix1", NOW).problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("not STIX_Package"));
        assertThat(Stix1Parser.parse("<stix:STIX_Package", "stix1", NOW).problems()).hasSize(1);
    }

    @Test
    void urlhausTakesEveryUrlByItsHeaderAndReportsBrokenRowsByLine() {
        ParseResult r = AbuseChParser.urlhaus(resource("urlhaus.csv"), "urlhaus", NOW);
        assertThat(values(r)).containsExactly("urlhaus.test/bins/mozi.m", "198.51.100.20:35893/i",
                "urlhaus.test/docs/invoice.zip?id=7");
        assertThat(r.problems()).extracting(ParseProblem::line).containsExactly(13, 14);
    }

    @Test
    void threatFoxReadsItsQuotedCommaSpaceRowsByHeaderAndSkipsHashes() {
        ParseResult r = AbuseChParser.threatFox(resource("threatfox.csv"), "threatfox", NOW);
        assertThat(values(r)).containsExactly("198.51.100.30", "threatfox.test", "gate.threatfox.test/panel/gate.php",
                "2001:db8:0:0:0:0:0:c2");
        assertThat(r.skipped()).containsKey("ioc_type md5_hash (file hashes are not seen in traffic)");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(15);
            assertThat(p.reason()).contains("expected 15 fields, found 4");
        });
        assertThat(r.indicators().get(1).risk()).as("confidence_level").isEqualTo(75);
    }

    @Test
    void threatFoxColumnsAreFoundByNameWhenTheExportMovesThem() {
        String moved = """
                # "ioc_type","first_seen_utc","is_compromised","ioc_value"
                "domain", "2026-12-04 10:00:00", "0", "moved.threatfox.test"
                """;
        assertThat(values(AbuseChParser.threatFox(moved, "tf", NOW))).containsExactly("moved.threatfox.test");
        assertThat(AbuseChParser.threatFox("\"a\",\"b\"\n", "tf", NOW).problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("no header comment"));
    }

    @Test
    void mispTakesOnlyToIdsAttributesOfTheWantedEvents() {
        String event = resource("misp/5f2a9c3e-1b4d-4e6f-8a7b-9c0d1e2f3a4b.json");
        ParseResult r = MispFeed.event(event, "misp", NOW, MispFeed.Filter.ALL);
        assertThat(values(r)).containsExactlyInAnyOrder("misp.test/kit/login.php", "phish.misp.test",
                "cdn.phish.misp.test", "198.51.100.40", "198.51.100.41", "pair.misp.test", "198.51.100.42",
                "old-export.misp.test/x", "object.misp.test/drop");
        assertThat(values(r)).doesNotContain("context-only.misp.test", "deleted.misp.test", "object.misp.test");
        assertThat(r.skipped()).containsEntry("to_ids false", 2).containsEntry("attribute type md5", 1)
                .containsEntry("deleted attribute", 1);
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.reason())
                .contains("event 5f2a9c3e-1b4d-4e6f-8a7b-9c0d1e2f3a4b attribute 11"));
        var manifest = MispFeed.manifest(resource("misp/manifest.json"));
        assertThat(manifest).extracting(MispFeed.Entry::threatLevel).containsExactly(2, 3);
        assertThat(manifest.get(0).tags()).contains("tlp:white");
        var mediumAndUp = new MispFeed.Filter(2, Set.of());
        assertThat(mediumAndUp.refuses(3, List.of())).contains("threat level");
        assertThat(mediumAndUp.refuses(2, List.of())).isNull();
        var whiteOnly = new MispFeed.Filter(4, Set.of("tlp:white"));
        assertThat(whiteOnly.refuses(2, List.of("TLP:WHITE"))).isNull();
        assertThat(MispFeed.event(resource("misp/6a3b0d4f-2c5e-4f70-9b8c-0d1e2f3a4b5c.json"), "misp", NOW, whiteOnly)
                .skipped()).containsEntry("event without a wanted tag", 1);
        assertThat(MispFeed.event("[1,2]", "misp", NOW, MispFeed.Filter.ALL).problems()).hasSize(1);
    }

    @Test
    void aVendorCsvReadsThroughAColumnAndTypeMapping() {
        ParseResult r = CsvIndicatorParser.parse(resource("vendor-suspicious-objects.csv"), "vendor", NOW,
                Map.of("type", "Type", "value", "Object", "expires", "Expiration"),
                Map.of("URL", "url", "Domain", "domain", "IP", "ip"));
        assertThat(values(r)).containsExactly("vendor.test/bad/", "c2.vendor.test");
        assertThat(r.skipped()).containsEntry("expired", 1).containsEntry("type File SHA-1", 1);
        assertThat(r.indicators().get(0).expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    }

    @Test
    @Timeout(10)
    void hugeLinesCostOnlyThemselves() {
        String huge = "http://huge.test/" + "a".repeat(4 * 1024 * 1024);
        String urlhaus = "# id,dateadded,url,url_status\n\"1\",\"2026-12-04 10:00:00\",\"" + huge + "\",\"online\"\n"
                + "\"2\",\"2026-12-04 10:00:00\",\"http://fine.test/x\",\"online\"\n";
        ParseResult r = AbuseChParser.urlhaus(urlhaus, "urlhaus", NOW);
        assertThat(values(r)).containsExactly("fine.test/x");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.reason()).contains("longer than 8192").hasSizeLessThan(200);
        });
        String stix = "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\"><stix:Indicators>"
                + "<stix:Indicator><x>" + "b".repeat(4 * 1024 * 1024) + "</x></stix:Indicator></stix:Indicators>"
                + "</stix:STIX_Package>";
        assertThat(Stix1Parser.parse(stix, "stix1", NOW).indicators()).isEmpty();
    }

    static List<String> values(ParseResult r) {
        return r.indicators().stream().map(Indicator::value).toList();
    }

    static String resource(String name) {
        try (InputStream in = PartnerFormatsTest.class.getResourceAsStream("/intel/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
