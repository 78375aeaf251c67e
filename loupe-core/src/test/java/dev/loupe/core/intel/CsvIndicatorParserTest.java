package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static dev.loupe.core.intel.IntelFixtures.problemLines;
import static dev.loupe.core.intel.IntelFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvIndicatorParserTest {
    @Test
    void readsColumnsQuotingAndReportsBadRowsByStartLine() {
        ParseResult result = CsvIndicatorParser.parse(feed("feed.csv"), "csv", NOW);
        assertThat(summary(result)).containsExactly(
                "DOMAIN *.bad.example",
                "URL evil.example/a,b",
                "IP 192.0.2.1",
                "CIDR 10.0.0.0/8");
        assertThat(result.indicators()).extracting(Indicator::risk).containsExactly(90, 50, 10, 50);
        assertThat(result.indicators()).extracting(Indicator::expiresAt).containsExactly(
                null, Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:00Z"), null);
        assertThat(problemLines(result)).containsExactly(8, 9, 10, 11, 12, 13, 14);
        assertThat(result.problems().get(0).reason()).contains("unknown type 'host'");
        assertThat(result.problems().get(3).reason()).contains("after a closing quote");
        assertThat(result.problems().get(4).reason()).contains("expected 6 fields, found 2");
        assertThat(result.problems().get(6).reason()).contains("never closed");
        assertThat(result.skipped()).isEqualTo(Map.of("expired", 1));
    }

    @Test
    void onlyTypeAndValueAreRequiredInAnyOrder() {
        ParseResult result = CsvIndicatorParser.parse("Value,TYPE\nbad.example,domain\n\n\"1.2.3.4\",ip\n", "csv", NOW);
        assertThat(summary(result)).containsExactly("DOMAIN bad.example", "IP 1.2.3.4");
        assertThat(result.problems()).isEmpty();
    }

    @Test
    void aMissingHeaderStopsWithOneProblem() {
        ParseResult result = CsvIndicatorParser.parse("domain,bad.example\ndomain,worse.example\n", "csv", NOW);
        assertThat(result.indicators()).isEmpty();
        assertThat(problemLines(result)).containsExactly(1);
        assertThat(result.problems().getFirst().reason()).contains("header");
    }
}
