package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static dev.loupe.core.intel.IntelFixtures.problemLines;
import static dev.loupe.core.intel.IntelFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RpzZoneParserTest {
    @Test
    void blockingPoliciesBecomeIndicatorsRelativeToTheZone() {
        ParseResult result = RpzZoneParser.parse(feed("policy.rpz"), "rpz", NOW);
        assertThat(summary(result)).containsExactly(
                "DOMAIN bad.example",
                "DOMAIN *.bad.example",
                "DOMAIN nodata.example",
                "DOMAIN drop.example",
                "DOMAIN abs.example",
                "IP 192.0.2.1",
                "CIDR 198.0.2.0/24",
                "CIDR 2001:db8:0:0:0:0:0:0/48",
                "IP 2001:db8:0:0:0:0:0:1");
        assertThat(result.skipped()).isEqualTo(Map.of(
                "passthru", 1, "redirect", 1, "local data", 1, "client-ip trigger", 1));
        assertThat(problemLines(result)).containsExactly(15, 20, 22, 23, 24);
        assertThat(result.problems().get(0).reason()).contains("outside the zone");
        assertThat(result.problems().get(3).reason()).contains("$INCLUDE");
    }

    @Test
    void theSoaOwnerIsTheOriginWhenThereIsNoOriginDirective() {
        String zone = """
                rpz.local. 3600 IN SOA ns.rpz.local. hostmaster.rpz.local. 1 3600 600 86400 60
                rpz.local. IN NS ns.rpz.local.
                Evil.Example CNAME .
                *.evil.example.rpz.local. CNAME .
                """;
        ParseResult result = RpzZoneParser.parse(zone, "rpz", NOW);
        assertThat(summary(result)).containsExactly("DOMAIN evil.example", "DOMAIN *.evil.example");
        assertThat(result.problems()).isEmpty();
    }

    @Test
    void withoutAnyOriginRelativeNamesAreTheTriggers() {
        String zone = "@ SOA a. b. 1 2 3 4 5\nbad.example CNAME .\n@ CNAME .\n(\n";
        ParseResult result = RpzZoneParser.parse(zone, "rpz", NOW);
        assertThat(summary(result)).containsExactly("DOMAIN bad.example");
        assertThat(problemLines(result)).containsExactly(3, 4);
    }
}
