package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static dev.loupe.core.intel.IntelFixtures.problemLines;
import static dev.loupe.core.intel.IntelFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlainListParserTest {
    @Test
    void detectsTypesAndReportsBadLinesWithTheirNumbers() {
        ParseResult result = PlainListParser.parse(feed("plain.txt"), "plain", NOW);
        assertThat(summary(result)).containsExactly(
                "DOMAIN bad.example",
                "DOMAIN *.wild.example",
                "DOMAIN *.dot.example",
                "URL evil.example/kit/",
                "URL evil.example/path",
                "IP 192.0.2.1",
                "CIDR 2001:db8:0:0:0:0:0:0/32",
                "CIDR 10.0.0.0/8");
        assertThat(problemLines(result)).containsExactly(11, 12, 13, 14);
        assertThat(result.problems().get(1).reason()).contains("more than one value");
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.source()).isEqualTo("plain"));
        assertThat(result.indicators()).allSatisfy(i -> {
            assertThat(i.source()).isEqualTo("plain");
            assertThat(i.risk()).isEqualTo(50);
            assertThat(i.firstSeen()).isEqualTo(NOW);
            assertThat(i.expiresAt()).isNull();
        });
        assertThat(result.skipped()).isEmpty();
    }

    @Test
    void handlesCarriageReturnsAByteOrderMarkAndEmptyInput() {
        ParseResult result = PlainListParser.parse("\uFEFFa.example\r\nb.example\r", "x", NOW);
        assertThat(summary(result)).containsExactly("DOMAIN a.example", "DOMAIN b.example");
        assertThat(PlainListParser.parse("", "x", NOW).indicators()).isEmpty();
        assertThat(PlainListParser.parse(null, "x", NOW).indicators()).isEmpty();
    }
}
